import { describe, expect, it } from 'vitest';
import {
  compositeScore,
  extractMemories,
  scoreCandidate,
  significanceLevel,
} from '../../src/domain/memory-extraction.ts';
import { cosine, HASH_EMBEDDING_DIMENSIONS, localEmbedding } from '../../src/domain/embedding.ts';
import { decideConsolidation, reinforcedStability, type ExistingMemory } from '../../src/domain/consolidation.ts';
import { lexicalShare, rankMemories } from '../../src/domain/retrieval.ts';
import { sentimentScore } from '../../src/domain/sentiment.ts';
import { summarizeConversation } from '../../src/domain/conversation-summary.ts';

describe('extractMemories', () => {
  it.each([
    ['I live in Denver with my sister.', 'personal_fact', 'home_city', 'denver'],
    ['I just moved to New York last month.', 'personal_fact', 'home_city', 'new york'],
    ['I was diagnosed with ADHD last year.', 'health', undefined, undefined],
    ['My dad passed away in March.', 'event', undefined, undefined],
    ['Going for a walk helps me calm down.', 'coping_strategy', undefined, undefined],
    ['I really love hiking in the mountains.', 'preference', undefined, undefined],
    ['I want to start running again.', 'goal', undefined, undefined],
    ['Crowded trains make me anxious.', 'trigger', undefined, undefined],
    ['My sister is called Maya.', 'relationship', undefined, undefined],
  ])('%s → %s', (text, type, slot, value) => {
    const [m, ...rest] = extractMemories(text);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ memoryType: type, content: text });
    expect(m!.slot).toBe(slot);
    expect(m!.value).toBe(value);
    for (const s of [m!.relevanceScore, m!.stabilityScore, m!.explicitnessScore, m!.compositeScore])
      expect(s).toBeGreaterThanOrEqual(0);
  });

  it.each([
    'lol ok',
    'Thanks, that helps!',
    'What do you think I should do?',
    'How was your day?',
    'I want to die.',
    'I love you',
    'If I lived in Paris I would be happy.',
  ])('nothing from chit-chat, questions, hypotheticals or crisis lines: %s', (text) =>
    expect(extractMemories(text)).toEqual([]),
  );

  it('composite is the documented weighted mean, with configurable weights', () => {
    const c = { relevanceScore: 1, stabilityScore: 0.5, explicitnessScore: 0 };
    expect(compositeScore(c)).toBe(0.65); // (0.5·1 + 0.3·0.5 + 0.2·0) / 1
    expect(compositeScore(c, { relevance: 0, stability: 1, explicitness: 0 })).toBe(0.5);
    expect(() => compositeScore(c, { relevance: 0, stability: 0, explicitness: 0 })).toThrow();
  });

  it('significance levels and clamping', () => {
    expect(significanceLevel(0.2, 'safety')).toBe('critical');
    expect(significanceLevel(0.2, 'health')).toBe('medium');
    expect(significanceLevel(0.8, 'routine')).toBe('high');
    const s = scoreCandidate({
      content: 'x',
      memoryType: 'goal',
      tags: [],
      significanceCategory: 'growth',
      relevanceScore: 3,
      stabilityScore: -1,
      explicitnessScore: 0.5,
    });
    expect([s.relevanceScore, s.stabilityScore]).toEqual([1, 0]);
  });
});

describe('local embedding', () => {
  it('is deterministic, 1536-dimensional and unit length', () => {
    const a = localEmbedding('I live in Denver');
    expect(a).toHaveLength(HASH_EMBEDDING_DIMENSIONS);
    expect(a).toEqual(localEmbedding('I live in Denver'));
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(localEmbedding('').every((v) => v === 0)).toBe(true);
  });
  it('ranks shared words above unrelated text', () => {
    const q = localEmbedding('hiking');
    expect(cosine(q, localEmbedding('I love hiking in the mountains'))).toBeGreaterThan(
      cosine(q, localEmbedding('My sister is called Maya')) + 0.2,
    );
  });
});

describe('consolidation', () => {
  const e = (text: string) => localEmbedding(text);
  const memory = (
    id: string,
    content: string,
    memoryType: ExistingMemory['memoryType'],
    slot?: string,
    value?: string,
  ) =>
    ({
      id,
      content,
      memoryType,
      slot: slot ?? null,
      value: value ?? null,
      embedding: e(content),
    }) satisfies ExistingMemory;
  const candidate = (content: string, memoryType: ExistingMemory['memoryType'], slot?: string, value?: string) => ({
    content,
    memoryType,
    slot,
    value,
    embedding: e(content),
  });
  const denver = memory('m1', 'I live in Denver', 'personal_fact', 'home_city', 'denver');
  const hiking = memory('m2', 'I really love hiking in the mountains.', 'preference');

  it('same slot and value → reinforce', () => {
    expect(
      decideConsolidation(candidate('I live in Denver.', 'personal_fact', 'home_city', 'Denver'), [denver]),
    ).toEqual({ action: 'reinforce', memoryId: 'm1' });
  });
  it('same slot, new value → supersede (archive the old)', () => {
    expect(
      decideConsolidation(candidate('I moved to Boston', 'personal_fact', 'home_city', 'boston'), [denver, hiking]),
    ).toEqual({ action: 'supersede', archiveIds: ['m1'] });
  });
  it('near-identical statement → reinforce, the longer wording kept; something new → add', () => {
    expect(decideConsolidation(candidate('I really love hiking in the mountains!', 'preference'), [hiking])).toEqual({
      action: 'reinforce',
      memoryId: 'm2',
    });
    expect(
      decideConsolidation(candidate('I really love hiking in the mountains with friends.', 'preference'), [hiking], {
        paraphrase: 0.7,
        change: 0.6,
      }),
    ).toEqual({ action: 'reinforce', memoryId: 'm2', rewordTo: 'I really love hiking in the mountains with friends.' });
    expect(decideConsolidation(candidate('I enjoy baking bread on Sundays', 'preference'), [hiking])).toEqual({
      action: 'add',
    });
  });
  it('a close memory that says it changed supersedes; different names are different memories', () => {
    const pepper = memory('c1', 'My cat is named Pepper.', 'relationship');
    const thresholds = { paraphrase: 0.5, change: 0.3 };
    expect(decideConsolidation(candidate('My cat is named Salt now.', 'relationship'), [pepper], thresholds)).toEqual({
      action: 'supersede',
      archiveIds: ['c1'],
    });
    expect(decideConsolidation(candidate('My cat is named Salt.', 'relationship'), [pepper], thresholds)).toEqual({
      action: 'add',
    });
  });
  it('vectors of another length (another model) never compare', () => {
    const other = { ...hiking, embedding: new Float32Array(512).fill(0.04) };
    expect(decideConsolidation(candidate('I really love hiking in the mountains.', 'preference'), [other])).toEqual({
      action: 'add',
    });
  });
  it('stability rises towards 1', () => {
    expect(reinforcedStability(0.5)).toBe(0.625);
    expect(reinforcedStability(1)).toBe(1);
  });
});

describe('rankMemories', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const m = (id: string, similarity: number, lexical: number, compositeScore: number, touched: number) => ({
    id,
    similarity,
    lexical,
    compositeScore,
    touchedAt: daysAgo(touched),
  });
  it('relevance gates; importance and recency break ties', () => {
    const ranked = rankMemories(
      true,
      [m('old', 0.6, 0, 0.7, 300), m('new', 0.6, 0, 0.7, 1), m('unrelated', 0.01, 0, 1, 0)],
      now,
    );
    expect(ranked.map((r) => r.id)).toEqual(['new', 'old']);
  });
  it('words add to meaning: an exact name lifts a memory, and a memory with words only still shows', () => {
    const ranked = rankMemories(
      true,
      [m('meaning', 0.4, 0, 0.7, 0), m('name', 0.3, 1, 0.7, 0), m('words-only', 0, 0.5, 0.7, 0)],
      now,
    );
    expect(ranked.map((r) => [r.id, Math.round(r.relevance * 100) / 100])).toEqual([
      ['name', 0.45],
      ['meaning', 0.4],
      ['words-only', 0.08],
    ]);
  });
  it('without a query ranks by importance × recency, up to the limit', () => {
    const ranked = rankMemories(false, [m('a', 0, 0, 0.2, 0), m('b', 0, 0, 0.9, 0), m('c', 0, 0, 0.9, 30)], now, {
      limit: 2,
    });
    expect(ranked.map((r) => r.id)).toEqual(['b', 'c']);
  });
  it('lexical share is the part of the query words the memory holds', () => {
    expect(lexicalShare(['pepper', 'cat'], ['cat', 'name', 'pepper'])).toBe(1);
    expect(lexicalShare(['pepper', 'dog'], ['cat', 'pepper'])).toBe(0.5);
    expect(lexicalShare([], ['cat'])).toBe(0);
  });
});

describe('sentiment and summaries', () => {
  it('scores polarity with negation', () => {
    expect(sentimentScore('I feel happy and proud today')).toBeGreaterThan(0.5);
    expect(sentimentScore('I am so sad and lonely')).toBeLessThan(-0.5);
    expect(sentimentScore('I am not happy')).toBeLessThan(0);
    expect(sentimentScore('the bus was late')).toBe(0);
  });
  it('summarizes themes, actions, crisis cues and progress', () => {
    const s = summarizeConversation([
      { role: 'user', text: 'Work has me so stressed and anxious, I feel awful.', crisisIndicators: [] },
      { role: 'assistant', text: 'That sounds hard.', crisisIndicators: [] },
      { role: 'user', text: "I can't take it anymore.", crisisIndicators: ['cant_go_on'] },
      {
        role: 'user',
        text: "Talking helped, I feel better. Tomorrow I will go for a walk and I'm proud of that.",
        crisisIndicators: [],
      },
    ]);
    expect(s.emotionalThemes).toEqual(expect.arrayContaining(['anxiety', 'stress', 'hope']));
    expect(s.actionItems).toEqual(["Tomorrow I will go for a walk and I'm proud of that."]);
    expect(s.crisisIndicators).toEqual(['cant_go_on']);
    expect(s.therapeuticProgress).toBe('mood improved over the conversation');
    expect(s.summary).toMatch(/^4 messages \(3 from the user\)/);
  });
});
