import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCE_MODEL_DIMENSIONS, sentenceEncoder } from '../../src/ml/sentence-encoder.ts';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('sentence encoder (USE lite, in a worker thread)', () => {
  const encoder = sentenceEncoder();
  afterAll(() => encoder.close());

  it('gives one unit vector of 512 values per text, in order', { timeout: 120_000 }, async () => {
    const [a, b, c] = await encoder.embed([
      'My cat is named Pepper.',
      'What is my pet called?',
      'I paid the gas bill.',
    ]);
    for (const v of [a!, b!, c!]) {
      expect(v).toHaveLength(SENTENCE_MODEL_DIMENSIONS);
      expect(Math.hypot(...v)).toBeCloseTo(1, 3);
    }
    // Meaning, not shared words: the question shares no content word with its fact.
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(b!, c!));
  });

  it('answers concurrent callers each with their own vectors (batched in the thread)', {
    timeout: 120_000,
  }, async () => {
    const texts = ['I feel hopeless', 'the weather is nice', 'I am going hiking on Sunday'];
    const alone = await encoder.embed(texts);
    const together = await Promise.all(texts.map((t) => encoder.embed([t])));
    for (const [i, [v]] of together.entries()) expect(cosine(v!, alone[i]!)).toBeCloseTo(1, 4);
    expect(await encoder.embed([])).toEqual([]);
  });

  it('rejects pending calls when the thread stops, and starts a new thread on the next call', {
    timeout: 120_000,
  }, async () => {
    const inFlight = encoder.embed(['a sentence that never gets its answer']);
    await encoder.close();
    await expect(inFlight).rejects.toThrow(/sentence model thread stopped/);
    const [v] = await encoder.embed(['back again']);
    expect(v).toHaveLength(SENTENCE_MODEL_DIMENSIONS);
  });
});
