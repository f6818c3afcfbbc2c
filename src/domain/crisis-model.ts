// The crisis classifier head: a softmax regression (optionally behind one hidden ReLU layer) for the level
// (none / medium / high / critical) and one for the category, over a segment's sentence embedding (USE lite, 512 values: what it
// means) joined with hashed word unigrams and bigrams of its normalised text (how it is said: the negations,
// jokes and idioms a sentence embedding blurs). The weights are trained
// offline by `npm run train:crisis` (eval/train-crisis.ts) on eval/data/crisis-train.jsonl, and the
// thresholds calibrated on eval/data/crisis-dev.jsonl; both are committed in crisis-head.json, so every
// process and test uses the same, reviewable model. Pure: embeddings in, probabilities and a level out.
import { CRISIS_CATEGORIES, type CrisisCategory, normalizeForCrisis } from './crisis.ts';
import { fnv1a } from './embedding.ts';
import type { CrisisLevel } from './enums.ts';

export const MODEL_LEVELS = ['none', 'medium', 'high', 'critical'] as const;
export type ModelLevel = (typeof MODEL_LEVELS)[number];

export interface SoftmaxLayer {
  /** One row of weights per output, each as long as the input. */
  weights: ArrayLike<number>[];
  bias: ArrayLike<number>;
}

export interface CrisisThresholds {
  /** P(any crisis) at or above which a message is flagged (at least medium). */
  flag: number;
  /** P(high or critical) at or above which the safety network is reached. */
  intervene: number;
  /** Flagging threshold for text that is not English (the model is English-only: flag earlier). */
  flagNotEnglish: number;
}

export interface CrisisHead {
  /** Bumped with every retrain; recorded with each model-based indicator. */
  version: string;
  model: string;
  /** Length of the sentence embedding part of the features. */
  dimensions: number;
  /** Length of the hashed n-gram part (0: embedding only). */
  ngramBuckets: number;
  /** The n-grams also hold the words in a negation's scope, marked ("never … hurt" → "¬hurt"). */
  negationScope?: boolean | undefined;
  /** Features → hidden units (ReLU); absent: the level layer reads the features (a softmax regression). */
  hidden?: SoftmaxLayer | undefined;
  /** Hidden units (or features) → level logits. */
  levels: SoftmaxLayer;
  categories: SoftmaxLayer;
  thresholds: CrisisThresholds;
}

export interface ModelVerdict {
  /** 1 − P(none), the highest over the text's segments. */
  pCrisis: number;
  /** P(high) + P(critical), the highest over the segments. */
  pIntervene: number;
  /** Of the two intervention levels, critical is the likelier one (in the segment that intervenes most). */
  criticalLikelier: boolean;
  category: CrisisCategory;
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  "don't",
  "didn't",
  "won't",
  "wouldn't",
  "isn't",
  "ain't",
  'nor',
  'nothing',
  'nobody',
  'without',
  "haven't",
  "hasn't",
  "wasn't",
  "aren't",
  "doesn't",
  "shouldn't",
  "couldn't",
  "can't",
  'cannot',
]);

/**
 * The up to five words after a negator in the same clause, marked: "i don't want to die, i want a change"
 * → ¬want ¬to ¬die. A sentence embedding blurs "I want to die" and "I don't want to die"; these features
 * let the head weigh a negated "die" and a plain one differently (and learn that "¬live" is not a denial).
 */
export function negatedWords(normalized: string): string[] {
  const marked: string[] = [];
  for (const clause of normalized.split(/[.!?;,\n]+|\bbut\b/)) {
    let scope = 0;
    for (const w of clause.match(/[\p{L}\p{N}']+/gu) ?? []) {
      if (NEGATORS.has(w)) scope = 5;
      else if (scope > 0) {
        marked.push(`¬${w}`);
        scope -= 1;
      }
    }
  }
  return marked;
}

/** The head's features for one segment: its sentence embedding, then its hashed n-grams (L2-normalised). */
export function crisisFeatures(
  head: Pick<CrisisHead, 'ngramBuckets' | 'negationScope'>,
  embedding: ArrayLike<number>,
  text: string,
) {
  const features = new Float32Array(embedding.length + head.ngramBuckets);
  features.set(embedding);
  if (head.ngramBuckets === 0) return features;
  const normalized = normalizeForCrisis(text);
  const words = normalized.match(/[\p{L}\p{N}']+/gu) ?? [];
  const grams = words.flatMap((w, i) => (i > 0 ? [w, `${words[i - 1]} ${w}`] : [w]));
  if (head.negationScope) grams.push(...negatedWords(normalized));
  let norm = 0;
  const ngrams = features.subarray(embedding.length);
  for (const gram of grams) {
    const h = fnv1a(gram);
    ngrams[h % head.ngramBuckets]! += h & 0x80000000 ? -1 : 1;
  }
  for (const v of ngrams) norm += v * v;
  if (norm > 0) for (let i = 0; i < ngrams.length; i++) ngrams[i]! /= Math.sqrt(norm);
  return features;
}

/** The layer's outputs before any activation. */
export function affine(layer: SoftmaxLayer, x: ArrayLike<number>): number[] {
  return layer.weights.map((row, k) => {
    let z = layer.bias[k]!;
    for (let i = 0; i < row.length; i++) z += row[i]! * x[i]!;
    return z;
  });
}

export function softmax(layer: SoftmaxLayer, x: ArrayLike<number>): number[] {
  const logits = affine(layer, x);
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** P(none), P(medium), P(high), P(critical) for one segment's features. */
export function levelProbabilities(head: Pick<CrisisHead, 'hidden' | 'levels'>, x: ArrayLike<number>): number[] {
  return softmax(head.levels, head.hidden ? affine(head.hidden, x).map((z) => Math.max(z, 0)) : x);
}

/** The head with its weights as Float32Arrays (what a process keeps; the JSON has plain arrays). */
export function compileHead(head: CrisisHead): CrisisHead {
  const layer = (l: SoftmaxLayer): SoftmaxLayer => ({
    weights: l.weights.map((row) => Float32Array.from(row)),
    bias: Float32Array.from(l.bias),
  });
  return {
    ...head,
    hidden: head.hidden && layer(head.hidden),
    levels: layer(head.levels),
    categories: layer(head.categories),
  };
}

const argmax = (values: readonly number[]) => values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);

/**
 * Scores a text from the features of its segments (the whole text and each sentence): a signal in the
 * second sentence counts as much as one alone. Throws on an empty list.
 */
export function scoreSegments(head: CrisisHead, segments: readonly ArrayLike<number>[]): ModelVerdict {
  if (segments.length === 0) throw new Error('scoreSegments: no segments');
  let best: { pCrisis: number; pIntervene: number; probs: number[]; x: ArrayLike<number> } | undefined;
  let pCrisis = 0;
  for (const x of segments) {
    const probs = levelProbabilities(head, x);
    const segmentCrisis = 1 - probs[0]!;
    const segmentIntervene = probs[2]! + probs[3]!;
    pCrisis = Math.max(pCrisis, segmentCrisis);
    if (
      !best ||
      segmentIntervene > best.pIntervene ||
      (segmentIntervene === best.pIntervene && segmentCrisis > best.pCrisis)
    ) {
      best = { pCrisis: segmentCrisis, pIntervene: segmentIntervene, probs, x };
    }
  }
  const categoryProbs = softmax(head.categories, best!.x);
  return {
    pCrisis,
    pIntervene: best!.pIntervene,
    criticalLikelier: best!.probs[3]! > best!.probs[2]!,
    category: CRISIS_CATEGORIES[argmax(categoryProbs)] ?? 'acute_distress',
  };
}

/** The level the model alone gives a verdict. */
export function modelLevel(verdict: ModelVerdict, thresholds: CrisisThresholds, english: boolean): CrisisLevel {
  if (verdict.pIntervene >= thresholds.intervene) return verdict.criticalLikelier ? 'critical' : 'high';
  return verdict.pCrisis >= (english ? thresholds.flag : thresholds.flagNotEnglish) ? 'medium' : 'none';
}
