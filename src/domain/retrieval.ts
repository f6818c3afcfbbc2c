// Ranking for GET /v1/memories (the Generative Agents idea: relevance × importance × recency), with hybrid
// relevance: meaning (the sentence vector) plus words (PostgreSQL full-text: exact names). Pure.
//
//   rank      = relevance × (0.5 + 0.5·composite_score) × (0.5 + 0.5·recency)
//   relevance = min(1, max(0, cosine(query, memory)) + LEXICAL_WEIGHT · lexical), or 1 with no query
//   lexical   = share of the query's words (English stems, stop words dropped) found in the memory
//   recency   = 0.5 ^ (days since last access, else last update / half-life days; default 30)
//
// Relevance gates (an unrelated memory ranks 0 however important); importance and recency each scale it
// by at most 2×, so a strong match from last year still beats a weak one from today. A memory with no
// score counts as composite 0.5. Memories under MIN_RELEVANCE are left out when there is a query; a memory
// whose vector is in another model's space (mid re-embed) has cosine 0 and can still match by its words.

export interface RankableMemory {
  id: string;
  /** Cosine with the query in the same model's space; 0 when the memory has no vector of that model. */
  similarity: number;
  /** Share of the query's words in the memory, in [0, 1]. */
  lexical: number;
  compositeScore: number | null;
  /** last_accessed_at, else updated_at. */
  touchedAt: Date;
}

export interface RankOptions {
  halfLifeDays: number;
  minRelevance: number;
  lexicalWeight: number;
  limit: number;
}

/** Tuned on eval/data/memory-dev.jsonl (eval/retrieval.ts): words add to meaning, they never replace it. */
export const LEXICAL_WEIGHT = 0.15;
export const DEFAULT_RANK_OPTIONS: RankOptions = Object.freeze({
  halfLifeDays: 30,
  minRelevance: 0.05,
  lexicalWeight: LEXICAL_WEIGHT,
  limit: 20,
});

const DAY_MS = 86_400_000;

export const hybridRelevance = (similarity: number, lexical: number, lexicalWeight = LEXICAL_WEIGHT) =>
  Math.min(1, Math.max(0, similarity) + lexicalWeight * lexical);

export function rankMemories(
  hasQuery: boolean,
  memories: readonly RankableMemory[],
  now: Date,
  options: Partial<RankOptions> = {},
): { id: string; score: number; relevance: number }[] {
  const { halfLifeDays, minRelevance, lexicalWeight, limit } = { ...DEFAULT_RANK_OPTIONS, ...options };
  const ranked: { id: string; score: number; relevance: number }[] = [];
  for (const m of memories) {
    const relevance = hasQuery ? hybridRelevance(m.similarity, m.lexical, lexicalWeight) : 1;
    if (hasQuery && relevance < minRelevance) continue;
    const ageDays = Math.max(0, (now.getTime() - m.touchedAt.getTime()) / DAY_MS);
    const recency = 0.5 ** (ageDays / halfLifeDays);
    const score = relevance * (0.5 + 0.5 * (m.compositeScore ?? 0.5)) * (0.5 + 0.5 * recency);
    ranked.push({ id: m.id, score, relevance });
  }
  return ranked.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** Share of the query's lexemes (PostgreSQL English stems) that the memory's lexemes contain. */
export function lexicalShare(queryLexemes: readonly string[], memoryLexemes: readonly string[]): number {
  if (queryLexemes.length === 0) return 0;
  const words = new Set(memoryLexemes);
  return queryLexemes.filter((l) => words.has(l)).length / queryLexemes.length;
}
