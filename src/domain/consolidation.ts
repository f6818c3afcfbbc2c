// Consolidation (mem0's ADD / UPDATE / DELETE / NONE): decide what a new candidate memory does to the
// user's existing active memories. Pure.
// - same single-valued slot, same value → reinforce the existing memory (NONE: nothing new);
// - same slot, another value ("I moved from Leeds to Bristol" after "I live in Leeds") → supersede:
//   archive the old with a link to the new, add the new (DELETE + ADD);
// - no slot, a memory of the same meaning (cosine ≥ thresholds.paraphrase in the same model's space, no
//   name that differs — "my sister Maya" is not "my brother Tom" — and the same subject — "I live in Leeds"
//   is not "my sister lives in Leeds") → reinforce it, and when the new
//   wording says more (more words), it replaces the old wording (UPDATE);
// - a close memory of the same type (cosine ≥ thresholds.change) and the new one says it changed ("now", "anymore", "no
//   longer", "switched", "these days" …: "My cat is named Salt now") → supersede;
// - otherwise add (ADD).
// Thresholds are tuned on eval/data/consolidation-dev.jsonl for the sentence model (eval/consolidation.ts).
import { cosine } from './embedding.ts';
import type { MemoryType } from './enums.ts';
import { namesIn } from './memory-tags.ts';

export interface ConsolidationCandidate {
  content: string;
  memoryType: MemoryType;
  slot?: string | undefined;
  value?: string | undefined;
  /** In the space of the existing memories' embeddings (null ones, another model's, never compare). */
  embedding: ArrayLike<number>;
}

export interface ExistingMemory {
  id: string;
  content: string;
  memoryType: MemoryType;
  slot: string | null;
  value: string | null;
  /** Null when the memory has no vector in the candidate's model (mixed models never compare). */
  embedding: ArrayLike<number> | null;
}

export type ConsolidationDecision =
  | { action: 'add' }
  | { action: 'reinforce'; memoryId: string; rewordTo?: string }
  | { action: 'supersede'; archiveIds: string[] };

export interface ConsolidationThresholds {
  /** Cosine at which two memories say the same thing. */
  paraphrase: number;
  /** Cosine at which a memory that says it changed replaces the old one. */
  change: number;
}
export const DEFAULT_THRESHOLDS: ConsolidationThresholds = Object.freeze({ paraphrase: 0.75, change: 0.6 });

const CHANGE_MARKER =
  /\b(?:now|anymore|any more|no longer|not any ?more|instead|switched|changed|these days|nowadays|moved|used to)\b/i;

const sameValue = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Two memories that each name someone or somewhere, and not the same ones, are about different things. */
function namesDiffer(a: string, b: string): boolean {
  const na = new Set(namesIn(a).map((n) => n.toLowerCase()));
  const nb = namesIn(b).map((n) => n.toLowerCase());
  return na.size > 0 && nb.length > 0 && !nb.every((n) => na.has(n));
}

/** Who a statement is about: "i", or the word after a leading "my" ("my sister lives…" → sister). */
function subjectOf(content: string): string | undefined {
  const lower = content.toLowerCase().replace(/[‘’]/g, "'");
  const owner = /^\s*(?:our|my) ([a-z-]+)/.exec(lower)?.[1];
  if (owner) return owner;
  return /\b(?:i|i'm|i've|i'd|i'll)\b/.test(lower) ? 'i' : undefined;
}

/** "I live in Leeds" and "My sister lives in Leeds" are close in meaning and about different people. */
function subjectsDiffer(a: string, b: string): boolean {
  const sa = subjectOf(a);
  const sb = subjectOf(b);
  return sa !== undefined && sb !== undefined && sa !== sb;
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

export function decideConsolidation(
  candidate: ConsolidationCandidate,
  existing: readonly ExistingMemory[],
  thresholds: ConsolidationThresholds = DEFAULT_THRESHOLDS,
): ConsolidationDecision {
  if (candidate.slot) {
    const sameSlot = existing.filter((m) => m.slot === candidate.slot);
    const same = sameSlot.find((m) => sameValue(m.value, candidate.value));
    if (same) return { action: 'reinforce', memoryId: same.id };
    if (sameSlot.length > 0) return { action: 'supersede', archiveIds: sameSlot.map((m) => m.id) };
  }
  let best: { memory: ExistingMemory; similarity: number } | undefined;
  for (const m of existing) {
    if (!m.embedding || m.embedding.length !== candidate.embedding.length) continue;
    const similarity = cosine(candidate.embedding, m.embedding);
    if (!best || similarity > best.similarity) best = { memory: m, similarity };
  }
  if (!best) return { action: 'add' };
  const { memory, similarity } = best;
  const changed = CHANGE_MARKER.test(candidate.content) && !CHANGE_MARKER.test(memory.content);
  if (changed && similarity >= thresholds.change && memory.memoryType === candidate.memoryType)
    return { action: 'supersede', archiveIds: [memory.id] };
  if (
    similarity >= thresholds.paraphrase &&
    !namesDiffer(memory.content, candidate.content) &&
    !subjectsDiffer(memory.content, candidate.content)
  ) {
    return wordCount(candidate.content) > wordCount(memory.content)
      ? { action: 'reinforce', memoryId: memory.id, rewordTo: candidate.content }
      : { action: 'reinforce', memoryId: memory.id };
  }
  return { action: 'add' };
}

/** Stability after one more confirmation: a quarter of the way to 1 (0.5 → 0.625 → 0.72 …). */
export const reinforcedStability = (stability: number | null) =>
  Math.min(1, (stability ?? 0.5) + (1 - (stability ?? 0.5)) * 0.25);
