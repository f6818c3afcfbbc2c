// Consolidation (what mem0 is known for): decide what a new candidate memory does to the user's
// existing active memories. Pure.
// - same single-valued slot, same value → reinforce the existing memory;
// - same slot, another value ("I moved to Boston" after "I live in Denver") → supersede: archive the old,
//   add the new;
// - no slot: the most similar active memory of the same type at ≥ DUPLICATE_SIMILARITY → reinforce;
// - otherwise add.
import { cosine } from './embedding.ts';
import type { MemoryType } from './enums.ts';

export interface ConsolidationCandidate {
  memoryType: MemoryType;
  slot?: string | undefined;
  value?: string | undefined;
  embedding: ArrayLike<number>;
}

export interface ExistingMemory {
  id: string;
  memoryType: MemoryType;
  slot: string | null;
  value: string | null;
  embedding: ArrayLike<number> | null;
}

export type ConsolidationDecision =
  | { action: 'add' }
  | { action: 'reinforce'; memoryId: string }
  | { action: 'supersede'; archiveIds: string[] };

/** Cosine similarity at which two memories of the same type are the same fact said again. */
export const DUPLICATE_SIMILARITY = 0.9;

const sameValue = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

export function decideConsolidation(
  candidate: ConsolidationCandidate,
  existing: readonly ExistingMemory[],
  duplicateSimilarity = DUPLICATE_SIMILARITY,
): ConsolidationDecision {
  if (candidate.slot) {
    const sameSlot = existing.filter((m) => m.slot === candidate.slot);
    const same = sameSlot.find((m) => sameValue(m.value, candidate.value));
    if (same) return { action: 'reinforce', memoryId: same.id };
    if (sameSlot.length > 0) return { action: 'supersede', archiveIds: sameSlot.map((m) => m.id) };
  }
  let best: { id: string; similarity: number } | undefined;
  for (const m of existing) {
    if (m.memoryType !== candidate.memoryType || !m.embedding || m.slot) continue;
    const similarity = cosine(candidate.embedding, m.embedding);
    if (!best || similarity > best.similarity) best = { id: m.id, similarity };
  }
  if (best && best.similarity >= duplicateSimilarity) return { action: 'reinforce', memoryId: best.id };
  return { action: 'add' };
}

/** Stability after one more confirmation: a quarter of the way to 1 (0.5 → 0.625 → 0.72 …). */
export const reinforcedStability = (stability: number | null) =>
  Math.min(1, (stability ?? 0.5) + (1 - (stability ?? 0.5)) * 0.25);
