// CI's floor for the detectors: the held-out test splits (eval/data/*-test.jsonl, written blind, never
// tuned on) must not score below the figures recorded in eval/data/recorded.json when the detector was
// frozen. `npm run eval` prints every split with confidence intervals. The dev split's floors are in
// crisis-dev.test.ts. When a new blind split replaces crisis-test.jsonl, its figures (and, once measured,
// crisisTest.interventionFalseRate, a ceiling) are written to recorded.json by the person who ran it.
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { evaluateCrisisSplit } from '../../eval/crisis-eval.ts';
import { evaluatePii, loadPiiSplit } from '../../eval/pii-eval.ts';
import { sentenceEncoder } from '../../src/ml/sentence-encoder.ts';

const recorded = JSON.parse(readFileSync(new URL('../../eval/data/recorded.json', import.meta.url), 'utf8'));
afterAll(() => sentenceEncoder().close());

it('crisis: the test split keeps its recorded recall, intervention recall and precision', {
  timeout: 300_000,
}, async () => {
  const f = (await evaluateCrisisSplit('test'))!;
  expect(f.rows).toBeGreaterThanOrEqual(300);
  expect(f.recall.value).toBeGreaterThanOrEqual(recorded.crisisTest.recall);
  expect(f.interventionRecall.value).toBeGreaterThanOrEqual(recorded.crisisTest.interventionRecall);
  expect(f.precision.value).toBeGreaterThanOrEqual(recorded.crisisTest.precision);
  // Recorded with the blind split written after the detector of branch crisis-fp was frozen.
  if (recorded.crisisTest.interventionFalseRate !== undefined)
    expect(f.interventionFalseRate.value).toBeLessThanOrEqual(recorded.crisisTest.interventionFalseRate);
});

it('PII: the test split keeps its recorded redaction and leaves PII-free text alone', () => {
  const f = evaluatePii(loadPiiSplit('test'));
  expect(f.valuesRedacted.value).toBeGreaterThanOrEqual(recorded.piiTest.valuesRedacted);
  expect(f.piiFreeUnchanged.value).toBeGreaterThanOrEqual(recorded.piiTest.piiFreeUnchanged);
});
