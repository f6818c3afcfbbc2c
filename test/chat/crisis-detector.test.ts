// The crisis ensemble: lexicon + sentence model (+ LLM), never lowering a level; what a broken model does.
import { afterAll, describe, expect, it } from 'vitest';
import { crisisDetectorFrom, crisisSegments, looksEnglish } from '../../src/chat/crisis-detector.ts';
import { loadConfig } from '../../src/config.ts';
import { combineCrisis } from '../../src/domain/crisis-ensemble.ts';
import { assessCrisis } from '../../src/domain/crisis.ts';
import { sentenceEncoder, type SentenceEncoder } from '../../src/ml/sentence-encoder.ts';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

describe('combineCrisis', () => {
  it('takes the highest level of any source and keeps every flagging source as an indicator', () => {
    const lexicon = assessCrisis('I feel hopeless');
    expect(lexicon.level).toBe('medium');
    const verdict = combineCrisis({
      lexicon,
      model: { level: 'high', category: 'suicidal_ideation' },
      llm: { level: 'none', category: 'acute_distress' },
    });
    expect(verdict).toMatchObject({ level: 'high', requiresIntervention: true });
    expect(verdict.indicators.map((i) => i.cue)).toEqual([
      ...lexicon.indicators.map((i) => i.cue),
      'model:suicidal_ideation',
    ]);
  });

  it("holds the model's intervention at medium in text that denies the crisis or tells of one come through", () => {
    const model = { level: 'critical' as const, category: 'suicidal_ideation' as const };
    const denied = combineCrisis({ lexicon: assessCrisis("I'm not suicidal, just tired"), model, context: ['denial'] });
    expect(denied).toMatchObject({ level: 'medium', requiresIntervention: false });
    expect(denied.indicators).toEqual([
      { cue: 'model:suicidal_ideation', category: 'suicidal_ideation', level: 'medium' },
    ]);
    // the lexicon's own cues still intervene there
    const lexicon = assessCrisis("I'm not suicidal, but I'm going to kill myself tonight");
    expect(combineCrisis({ lexicon, model, context: ['denial'] }).requiresIntervention).toBe(true);
    expect(combineCrisis({ lexicon: assessCrisis('ok'), model }).requiresIntervention).toBe(true);
  });

  it('never lowers what the lexicon found, whatever the model says', () => {
    const lexicon = assessCrisis('I am going to kill myself tonight');
    const verdict = combineCrisis({ lexicon, model: { level: 'none', category: 'suicidal_ideation' } });
    expect(verdict.level).toBe(lexicon.level);
    expect(verdict.requiresIntervention).toBe(true);
  });
});

describe('crisis detector', () => {
  afterAll(() => sentenceEncoder().close());

  it('catches what no lexicon cue names, and leaves ordinary text alone', { timeout: 120_000 }, async () => {
    const detector = crisisDetectorFrom(config);
    const missedByLexicon = 'i sorted out who gets my guitar and my cat, wont need them after friday';
    expect(assessCrisis(missedByLexicon).level).toBe('none');
    expect((await detector.detect(missedByLexicon)).indicators.length).toBeGreaterThan(0);
    const ordinary = await detector.detect('I live in Denver with my sister. I love hiking in the mountains!');
    expect(ordinary).toMatchObject({ level: 'none', indicators: [], requiresIntervention: false });
  });

  it('reports a sentence model that cannot run, and still gives the lexicon verdict', async () => {
    const broken: SentenceEncoder = {
      embed: () => Promise.reject(new Error('thread gone')),
      close: async () => {},
    };
    const verdict = await crisisDetectorFrom(config, broken).detect('I want to die');
    expect(verdict.modelError).toBe('thread gone');
    expect(verdict).toMatchObject({ level: 'high', requiresIntervention: true });
  });

  it('scores the whole text and each sentence; reads short or English text as English', () => {
    expect(crisisSegments('Nice day. I took all my pills.')).toEqual([
      'Nice day. I took all my pills.',
      'Nice day.',
      'I took all my pills.',
    ]);
    expect(crisisSegments('one sentence')).toEqual(['one sentence']);
    expect(looksEnglish('ok')).toBe(true);
    expect(looksEnglish('I have been feeling very low for weeks and nothing helps anymore')).toBe(true);
    expect(looksEnglish('Je ne veux plus vivre, tout est trop lourd pour moi depuis des semaines')).toBe(false);
  });
});
