// The crisis detector on the dev split (eval/data/crisis-dev.jsonl, tuned on: thresholds are calibrated
// there) holds the figures it was frozen with, so a lexicon or ensemble change that costs intervention
// recall or sends more non-crisis messages to the safety network fails here before anyone measures the
// held-out split. Frozen at: recall 173/180, intervention recall 119/131, non-crisis → intervention 6/180.
import { afterAll, expect, it } from 'vitest';
import { evaluateCrisisSplit } from '../../eval/crisis-eval.ts';
import { sentenceEncoder } from '../../src/ml/sentence-encoder.ts';

afterAll(() => sentenceEncoder().close());

it('crisis dev split: recall ≥ 0.95, intervention recall ≥ 0.90, non-crisis → intervention ≤ 6/180', {
  timeout: 300_000,
}, async () => {
  const f = (await evaluateCrisisSplit('dev'))!;
  expect(f.rows).toBe(360);
  expect(f.recall.value).toBeGreaterThanOrEqual(0.95);
  expect(f.precision.value).toBeGreaterThanOrEqual(0.85);
  expect(f.interventionRecall.value).toBeGreaterThanOrEqual(0.9);
  expect(f.interventionFalseRate.hits).toBeLessThanOrEqual(6);
});
