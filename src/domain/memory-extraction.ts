// Rule-based memory extraction and the scoring every extractor shares. Pure.
//
// composite_score = (w_r·relevance + w_s·stability + w_e·explicitness) / (w_r + w_s + w_e)
// with default weights relevance 0.5, stability 0.3, explicitness 0.2 (configurable:
// MEMORY_WEIGHT_RELEVANCE / _STABILITY / _EXPLICITNESS). Relevance weighs most because retrieval serves
// the next conversation; stability next because a stale fact misleads.
// significance_level: critical for safety memories; otherwise high ≥ 0.75, medium ≥ 0.5, else low; a
// health memory is at least medium.
import { assessCrisis, crisisLevelAtLeast } from './crisis.ts';
import type { MemoryType, SignificanceCategory, SignificanceLevel } from './enums.ts';
import { MEMORY_RULES } from './memory-rules.ts';
import { memoryTags } from './memory-tags.ts';
import { splitSentences } from './sentences.ts';

export { splitSentences };

export interface ScoreWeights {
  relevance: number;
  stability: number;
  explicitness: number;
}
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = Object.freeze({ relevance: 0.5, stability: 0.3, explicitness: 0.2 });

/** What any extractor (rules or a model) proposes, before scoring. Scores in [0, 1]. */
export interface RawCandidate {
  content: string;
  memoryType: MemoryType;
  significanceCategory: SignificanceCategory;
  relevanceScore: number;
  stabilityScore: number;
  explicitnessScore: number;
  /** Single-valued fact ("home_city") and its normalised value, for contradiction detection. */
  slot?: string | undefined;
  value?: string | undefined;
  /** What the memory is about: topic first, then what it names (memory-tags.ts). */
  tags: string[];
}

export interface MemoryCandidate extends RawCandidate {
  compositeScore: number;
  significanceLevel: SignificanceLevel;
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));
const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function compositeScore(
  c: Pick<RawCandidate, 'relevanceScore' | 'stabilityScore' | 'explicitnessScore'>,
  w: ScoreWeights = DEFAULT_SCORE_WEIGHTS,
): number {
  const total = w.relevance + w.stability + w.explicitness;
  if (total <= 0) throw new Error('score weights must not all be zero');
  return round3(
    clamp01(
      (w.relevance * c.relevanceScore + w.stability * c.stabilityScore + w.explicitness * c.explicitnessScore) / total,
    ),
  );
}

export function significanceLevel(composite: number, category: SignificanceCategory): SignificanceLevel {
  if (category === 'safety') return 'critical';
  const level: SignificanceLevel = composite >= 0.75 ? 'high' : composite >= 0.5 ? 'medium' : 'low';
  return category === 'health' && level === 'low' ? 'medium' : level;
}

/** Adds composite_score and significance_level to a candidate (clamping its scores into [0, 1]). */
export function scoreCandidate(raw: RawCandidate, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): MemoryCandidate {
  const c = {
    ...raw,
    relevanceScore: clamp01(raw.relevanceScore),
    stabilityScore: clamp01(raw.stabilityScore),
    explicitnessScore: clamp01(raw.explicitnessScore),
  };
  const composite = compositeScore(c, weights);
  return { ...c, compositeScore: composite, significanceLevel: significanceLevel(composite, c.significanceCategory) };
}

// Not a statement about the user: questions, hypotheticals, other people's words.
const NOT_ABOUT_USER =
  /\?\s*$|^(?:if|what if|imagine|suppose|would you|do you|can you|should i)\b|\b(?:he|she|they) said\b/i;
// Stop the slot value at the first word that is not part of a name ("Denver with my sister").
const VALUE_END = /\s+(?:with|and|for|because|since|last|this|next|now|but|a|an|the|about|after|so|to|at|in|on)\b.*$/;

const normalizeValue = (v: string) =>
  v
    .trim()
    .replace(VALUE_END, '')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim();

/**
 * Memories stated in one (PII-processed) user message, at most one per sentence. A sentence
 * with a crisis cue at medium or above is left to the crisis path and never becomes a memory.
 */
export function extractMemories(text: string, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): MemoryCandidate[] {
  return extractBySentence(text, weights).flatMap((s) => (s.candidate ? [s.candidate] : []));
}

/** A sentence a memory could come from (a statement, not a question or a crisis line), and the rules' memory if any. */
export interface StatementSentence {
  sentence: string;
  candidate: MemoryCandidate | undefined;
}

/**
 * Every sentence that is a statement the user could be remembered by, with the rules' memory when a rule
 * matched (undefined otherwise: the sentence-model extractor may still find one).
 */
export function extractBySentence(text: string, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): StatementSentence[] {
  const out: StatementSentence[] = [];
  for (const sentence of splitSentences(text)) {
    if (sentence.split(/\s+/).length < 3 || NOT_ABOUT_USER.test(sentence)) continue;
    if (crisisLevelAtLeast(assessCrisis(sentence).level, 'medium')) continue;
    out.push({ sentence, candidate: ruleCandidate(sentence, weights) });
  }
  return out;
}

function ruleCandidate(sentence: string, weights: ScoreWeights): MemoryCandidate | undefined {
  const lower = sentence.toLowerCase().replace(/[‘’]/g, "'");
  // One memory per sentence: the first matching rule (MEMORY_RULES is ordered most specific first).
  for (const rule of MEMORY_RULES) {
    const match = rule.pattern.exec(lower);
    if (!match) continue;
    const captured = match.slice(1).find(Boolean);
    const value = rule.slot && captured ? normalizeValue(captured) || undefined : undefined;
    return scoreCandidate(
      {
        content: sentence,
        memoryType: rule.memoryType,
        significanceCategory: rule.category,
        relevanceScore: rule.relevance,
        stabilityScore: rule.stability,
        explicitnessScore: rule.explicitness,
        tags: memoryTags(sentence, rule.topic, value),
        ...(value ? { slot: rule.slot, value } : {}),
      },
      weights,
    );
  }
  return undefined;
}
