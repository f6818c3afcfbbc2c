// Steps 2–6 of memory-extraction: PII processing per the user's privacy settings, extraction (rules or
// model), embeddings, consolidation with the user's active memories, and marking the message done.
// The model and embedding calls happen before the transaction; every write happens in ONE transaction
// that first re-locks the message and checks `memory_extracted`: a crash mid-job rolls everything back
// and the retry starts over; a second run after the commit (duplicate delivery) changes nothing. New
// memory ids are derived from (message id, candidate index), so even two racing runs insert once.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChatProviders } from '../chat/providers.ts';
import { decideConsolidation, reinforcedStability, type ExistingMemory } from '../domain/consolidation.ts';
import { compositeScore, significanceLevel, type MemoryCandidate } from '../domain/memory-extraction.ts';
import { embeddingText, uniqueTags } from '../domain/memory-tags.ts';
import { vectorColumns } from '../domain/quantized.ts';
import { detectPii, parsePiiPreferences, redactPii } from '../domain/pii.ts';
import { sentimentScore } from '../domain/sentiment.ts';
import { MemoryItem } from '../entities/memory-item.entity.ts';
import { Message } from '../entities/message.entity.ts';
import { UserPrivacySettings } from '../entities/user-privacy-settings.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';

/** How many of the user's newest active memories of the candidates' types consolidation compares with. */
export const CONSOLIDATION_WINDOW = 300;
const DAY_MS = 86_400_000;

export interface MemoryStepResult {
  created: number;
  reinforced: number;
  superseded: number;
  extractor: string;
}

export async function runMemoryStep(
  em: EntityManager,
  messageId: string,
  providers: ChatProviders,
): Promise<MemoryStepResult | null> {
  const message = await em.findOne(Message, messageId);
  if (!message || message.memoryExtracted) return null;
  const settings = await em.findOne(UserPrivacySettings, { user: message.user });
  const pii = detectPii(message.content);
  const processed =
    (settings?.autoAnonymizePii ?? true)
      ? redactPii(message.content, parsePiiPreferences(settings?.piiHandlingPreferences ?? {}), pii).text
      : message.content;
  const { candidates, extractor } =
    message.role === 'user'
      ? await providers.extractor.extract(processed)
      : { candidates: [], extractor: 'none (not a user message)' };
  const embeddings = await providers.embedder.embed(candidates.map((c) => embeddingText(c.content, c.tags)));
  const model = providers.embedder.name;

  return em.transactional(async (tx) => {
    const locked = await tx.findOne(Message, messageId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!locked || locked.memoryExtracted) return null;
    const longTerm = settings?.allowLongTermStorage ?? false;
    const existing = await loadComparable(tx, message.user.id, candidates.length > 0);
    const result: MemoryStepResult = { created: 0, reinforced: 0, superseded: 0, extractor };
    const now = new Date();

    candidates.forEach((candidate, index) => {
      const embedding = embeddings[index]!;
      const decision = decideConsolidation(
        { ...candidate, embedding },
        existing.map((m) => toComparable(m, model)),
      );
      if (decision.action === 'reinforce') {
        const memory = existing.find((m) => m.id === decision.memoryId)!;
        if (decision.rewordTo !== undefined) {
          // mem0's UPDATE: the same fact said with more detail keeps the newer wording (and its vector).
          const tags = uniqueTags([...candidate.tags, ...memory.tags]);
          Object.assign(memory, {
            content: decision.rewordTo,
            processedContent: decision.rewordTo,
            anonymizedVersion: redactPii(decision.rewordTo).text,
            piiDetected: detectPii(decision.rewordTo).kinds,
            tags,
            ...vectorColumns(model, embedding),
          });
        }
        memory.stabilityScore = reinforcedStability(memory.stabilityScore ?? null);
        memory.compositeScore = compositeScore(
          {
            relevanceScore: memory.relevanceScore ?? 0.5,
            stabilityScore: memory.stabilityScore,
            explicitnessScore: memory.explicitnessScore ?? 0.5,
          },
          providers.weights,
        );
        memory.significanceLevel = significanceLevel(memory.compositeScore, memory.significanceCategory ?? 'other');
        memory.extractionMetadata = {
          ...memory.extractionMetadata,
          reinforced_count: Number(memory.extractionMetadata.reinforced_count ?? 0) + 1,
          last_reinforced_by: messageId,
          ...(decision.rewordTo === undefined ? {} : { reworded_by: messageId }),
        };
        memory.updatedAt = now;
        result.reinforced += 1;
        return;
      }
      const id = deterministicUuid(`memory:${messageId}:${index}`);
      if (decision.action === 'supersede') {
        for (const old of existing.filter((m) => decision.archiveIds.includes(m.id))) {
          Object.assign(old, {
            isActive: false,
            isArchived: true,
            extractionMetadata: { ...old.extractionMetadata, superseded_by: id },
          });
          result.superseded += 1;
        }
      }
      existing.unshift(
        createMemory(tx, id, locked, candidate, embedding, {
          extractor,
          embedder: model,
          supersedes: decision.action === 'supersede' ? decision.archiveIds : [],
          longTerm,
          retentionDays: settings?.dataRetentionDays ?? 365,
          now,
        }),
      );
      result.created += 1;
    });

    Object.assign(locked, {
      processedContent: processed,
      piiDetected: pii.kinds,
      sentimentScore: sentimentScore(message.content),
      memoryExtracted: true,
      memoryItemsCreated: result.created,
    });
    return result;
  });
}

/**
 * The user's newest active memories (a bounded window; see CONSOLIDATION_WINDOW), of every type: a
 * paraphrase may be typed differently by the rules and by the model.
 */
async function loadComparable(tx: EntityManager, userId: string, any: boolean): Promise<MemoryItem[]> {
  if (!any) return [];
  return tx.find(
    MemoryItem,
    { user: userId, isActive: true, isArchived: false },
    { orderBy: { updatedAt: 'desc' }, limit: CONSOLIDATION_WINDOW, populate: ['embedding'] },
  );
}

/** A memory as consolidation sees it; its vector only when it is in the current model's space. */
const toComparable = (m: MemoryItem, model: string): ExistingMemory => ({
  id: m.id,
  content: m.content,
  memoryType: m.memoryType,
  slot: typeof m.extractionMetadata.slot === 'string' ? m.extractionMetadata.slot : null,
  value: typeof m.extractionMetadata.value === 'string' ? m.extractionMetadata.value : null,
  embedding: m.embeddingModel === model ? (m.embedding ?? null) : null,
});

function createMemory(
  tx: EntityManager,
  id: string,
  message: Message,
  c: MemoryCandidate,
  embedding: Float32Array,
  meta: {
    extractor: string;
    embedder: string;
    /** Memories this one archived (each links back with superseded_by). */
    supersedes: string[];
    longTerm: boolean;
    retentionDays: number;
    now: Date;
  },
): MemoryItem {
  return tx.create(MemoryItem, {
    id,
    user: message.user,
    conversation: message.conversation,
    message,
    // Built from the processed text: it holds only the PII the user chose to keep.
    content: c.content,
    processedContent: c.content,
    anonymizedVersion: redactPii(c.content).text,
    piiDetected: detectPii(c.content).kinds,
    memoryType: c.memoryType,
    significanceCategory: c.significanceCategory,
    significanceLevel: c.significanceLevel,
    relevanceScore: c.relevanceScore,
    stabilityScore: c.stabilityScore,
    explicitnessScore: c.explicitnessScore,
    compositeScore: c.compositeScore,
    ...vectorColumns(meta.embedder, embedding),
    tags: c.tags,
    storageType: meta.longTerm ? 'long_term' : 'short_term',
    extractionMetadata: {
      extractor: meta.extractor,
      embedder: meta.embedder,
      ...(c.slot ? { slot: c.slot, value: c.value } : {}),
      ...(meta.supersedes.length > 0 ? { supersedes: meta.supersedes } : {}),
      // Short-term memories (no consent to long-term storage) expire after the user's retention period.
      ...(meta.longTerm
        ? {}
        : { expires_at: new Date(meta.now.getTime() + meta.retentionDays * DAY_MS).toISOString() }),
    },
  });
}
