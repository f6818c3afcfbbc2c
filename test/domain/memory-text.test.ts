// Sentence splitting, tags, the compact vectors and the model verdict: the pure parts of semantic memory.
import { describe, expect, it } from 'vitest';
import { cosine, localEmbedding } from '../../src/domain/embedding.ts';
import {
  judgeStatement,
  MIN_SIMILARITY,
  UNWORTHY_EXAMPLES,
  WORTHY_EXAMPLES,
} from '../../src/domain/memory-exemplars.ts';
import { extractMemories } from '../../src/domain/memory-extraction.ts';
import { embeddingText, memoryTags, normalizeTag, uniqueTags } from '../../src/domain/memory-tags.ts';
import { dotAll, packQuantized, quantize } from '../../src/domain/quantized.ts';
import { splitSentences } from '../../src/domain/sentences.ts';

describe('splitSentences', () => {
  it.each([
    ['My GP is Dr. Okafor. I like her.', ['My GP is Dr. Okafor.', 'I like her.']],
    ['I live on St. Mary Road near the park.', ['I live on St. Mary Road near the park.']],
    [
      'It costs 3.50 a day. J. R. R. Tolkien is my favourite.',
      ['It costs 3.50 a day.', 'J. R. R. Tolkien is my favourite.'],
    ],
    ['I met Mrs. Jones e.g. at church. Then home', ['I met Mrs. Jones e.g. at church.', 'Then home']],
    ['Hi!! I am ok...really', ['Hi!!', 'I am ok...really']],
    ['line one\nline two', ['line one', 'line two']],
    ['  ', []],
  ])('%j', (text, expected) => expect(splitSentences(text)).toEqual(expected));

  it('keeps the name after a title in the memory (the fault the issue saw)', () => {
    expect(extractMemories('My GP is Dr. Okafor at the Riverside practice.')[0]?.content).toBe(
      'My GP is Dr. Okafor at the Riverside practice.',
    );
  });
});

describe('broadened rules', () => {
  it.each([
    ['We have a golden retriever called Biscuit.', 'pet', ['pet', 'retriever', 'biscuit']],
    ['I do night shifts three times a week.', 'work', ['work']],
    ['My mum raised me on her own.', 'family', ['family', 'mum']],
    ['My lower back hurts most days.', 'health', ['health']],
    ['I knit scarves for my friends.', 'hobby', ['hobby']],
    ['I grew up on a farm in Wales.', 'place', ['place', 'wales']],
    ['Spiders freak me out.', 'fear', ['fear']],
    ['I drink four coffees a day.', 'habit', ['habit']],
    ['I moved from Leeds to Bristol.', 'place', ['place', 'leeds', 'bristol']],
  ])('%s → %s', (text, topic, tags) => {
    const [m] = extractMemories(text);
    expect(m?.tags[0]).toBe(topic);
    expect(m?.tags).toEqual(tags);
  });

  it('"moved from Leeds to Bristol" has the new city as its value', () => {
    expect(extractMemories('I moved from Leeds to Bristol.')[0]).toMatchObject({ slot: 'home_city', value: 'bristol' });
  });
});

describe('tags', () => {
  it('normalise to lower case letters, digits, spaces and hyphens; unique; bounded', () => {
    expect(normalizeTag('  Best  Friend! ')).toBe('best friend');
    expect(normalizeTag('!!!')).toBe('');
    expect(uniqueTags(['Pet', 'pet', ' ', 'cat'])).toEqual(['pet', 'cat']);
    expect(uniqueTags(Array.from({ length: 30 }, (_, i) => `t${i}`))).toHaveLength(12);
  });
  it('name the kinds and names a memory mentions, never placeholders or titles', () => {
    expect(memoryTags('My sister Maya emailed me at [EMAIL] about Dr. Okafor.', 'family')).toEqual([
      'family',
      'sister',
      'maya',
      'okafor',
    ]);
  });
  it('the embedded text adds the topic gloss; an unknown topic is its own gloss', () => {
    expect(embeddingText('I take sertraline.', ['health'])).toBe('I take sertraline. (health medical)');
    expect(embeddingText('I take sertraline.', ['knitting'])).toBe('I take sertraline. (knitting)');
    expect(embeddingText('I take sertraline.', [])).toBe('I take sertraline.');
  });
});

describe('compact vectors', () => {
  it('int8 with a scale keeps every cosine within 0.01 of the float32 one', () => {
    const texts = ['I live in Leeds', 'My cat is named Pepper', 'I work as a nurse', 'lives in leeds', 'pet cat'];
    const vectors = texts.map(localEmbedding);
    const set = packQuantized(vectors.map(quantize), vectors[0]!.length);
    for (const q of vectors) {
      const approx = dotAll(q, set);
      for (const [i, v] of vectors.entries()) expect(Math.abs(approx[i]! - cosine(q, v))).toBeLessThan(0.01);
    }
  });
  it('a missing or wrong-length row has similarity 0; the zero vector round-trips', () => {
    const v = localEmbedding('I live in Leeds');
    const set = packQuantized([null, quantize(v), new Uint8Array(10), quantize(new Float32Array(v.length))], v.length);
    expect(Array.from(dotAll(v, set)).map((x) => Math.round(x * 100) / 100)).toEqual([0, 1, 0, 0]);
  });
});

describe('judgeStatement (the model step)', () => {
  const worthy = (best: number) => WORTHY_EXAMPLES.map((_, i) => (i === 3 ? best : 0.1));
  const unworthy = (best: number) => UNWORTHY_EXAMPLES.map((_, i) => (i === 0 ? best : 0));
  it('a first-person statement near a worthy example becomes a candidate with lower explicitness', () => {
    const v = judgeStatement('I deliver parcels around town.', worthy(0.6), unworthy(0.3))!;
    expect(v.exemplar).toBe(WORTHY_EXAMPLES[3]);
    expect(v.explicitness).toBeGreaterThanOrEqual(0.4);
    expect(v.explicitness).toBeLessThanOrEqual(0.7);
    expect(judgeStatement('I deliver parcels.', worthy(1), unworthy(0))!.explicitness).toBe(0.7);
  });
  it('not when closer to chit-chat, under the threshold, or not in the first person', () => {
    expect(judgeStatement('I deliver parcels around town.', worthy(0.6), unworthy(0.7))).toBeUndefined();
    expect(
      judgeStatement('I deliver parcels around town.', worthy(MIN_SIMILARITY - 0.01), unworthy(0)),
    ).toBeUndefined();
    expect(judgeStatement('The weather is nice in town.', worthy(0.9), unworthy(0))).toBeUndefined();
  });
});
