import { describe, expect, it } from 'vitest';
import {
  compositeScore,
  extractMemories,
  scoreCandidate,
  significanceLevel,
} from '../../src/domain/memory-extraction.ts';
import { cosine, EMBEDDING_DIMENSIONS, localEmbedding } from '../../src/domain/embedding.ts';
import { decideConsolidation, reinforcedStability, type ExistingMemory } from '../../src/domain/consolidation.ts';
import { rankMemories } from '../../src/domain/retrieval.ts';
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
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
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
  const denver: ExistingMemory = {
    id: 'm1',
    memoryType: 'personal_fact',
    slot: 'home_city',
    value: 'denver',
    embedding: e('I live in Denver'),
  };
  const hiking: ExistingMemory = {
    id: 'm2',
    memoryType: 'preference',
    slot: null,
    value: null,
    embedding: e('I really love hiking in the mountains.'),
  };

  it('same slot and value → reinforce', () => {
    expect(
      decideConsolidation(
        { memoryType: 'personal_fact', slot: 'home_city', value: 'Denver', embedding: e('I live in Denver.') },
        [denver],
      ),
    ).toEqual({ action: 'reinforce', memoryId: 'm1' });
  });
  it('same slot, new value → supersede (archive the old)', () => {
    expect(
      decideConsolidation(
        { memoryType: 'personal_fact', slot: 'home_city', value: 'boston', embedding: e('I moved to Boston') },
        [denver, hiking],
      ),
    ).toEqual({ action: 'supersede', archiveIds: ['m1'] });
  });
  it('near-identical statement → reinforce; something new → add', () => {
    expect(
      decideConsolidation({ memoryType: 'preference', embedding: e('I really love hiking in the mountains!') }, [
        hiking,
      ]),
    ).toEqual({ action: 'reinforce', memoryId: 'm2' });
    expect(
      decideConsolidation({ memoryType: 'preference', embedding: e('I enjoy baking bread on Sundays') }, [hiking]),
    ).toEqual({ action: 'add' });
  });
  it('stability rises towards 1', () => {
    expect(reinforcedStability(0.5)).toBe(0.625);
    expect(reinforcedStability(1)).toBe(1);
  });
});

describe('rankMemories', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  it('similarity gates; importance and recency break ties', () => {
    const q = localEmbedding('hiking');
    const ranked = rankMemories(
      q,
      [
        { id: 'old', embedding: localEmbedding('I love hiking'), compositeScore: 0.7, touchedAt: daysAgo(300) },
        { id: 'new', embedding: localEmbedding('I love hiking'), compositeScore: 0.7, touchedAt: daysAgo(1) },
        {
          id: 'unrelated',
          embedding: localEmbedding('My sister is called Maya'),
          compositeScore: 1,
          touchedAt: daysAgo(0),
        },
      ],
      now,
    );
    expect(ranked.map((r) => r.id)).toEqual(['new', 'old']);
  });
  it('without a query ranks by importance × recency, up to the limit', () => {
    const ranked = rankMemories(
      null,
      [
        { id: 'a', embedding: null, compositeScore: 0.2, touchedAt: daysAgo(0) },
        { id: 'b', embedding: null, compositeScore: 0.9, touchedAt: daysAgo(0) },
        { id: 'c', embedding: null, compositeScore: 0.9, touchedAt: daysAgo(30) },
      ],
      now,
      { limit: 2 },
    );
    expect(ranked.map((r) => r.id)).toEqual(['b', 'c']);
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
