import { describe, expect, it } from 'vitest';
import { assessCrisis, crisisLevelAtLeast, CRISIS_CATEGORIES } from '../../src/domain/crisis.ts';
import { CRISIS_LEXICON } from '../../src/domain/crisis-lexicon.ts';

describe('assessCrisis', () => {
  it.each([
    ["I'm going to kill myself tonight", 'critical', 'suicide_intent'],
    ['I took a bunch of pills an hour ago', 'critical', 'overdose_taken'],
    ['I want to die', 'high', 'want_to_die'],
    ['honestly i dont want to live anymore', 'high', 'dont_want_to_live'],
    ['everyone would be better off without me', 'high', 'better_off_dead'],
    ['I keep cutting myself when it gets bad', 'high', 'self_harm_act'],
    ['I want to hurt him so badly', 'high', 'harm_others_intent'],
    ["I can't take it anymore", 'medium', 'cant_go_on'],
    ["I don't know why I want to die", 'high', 'want_to_die'],
  ])('%s → %s', (text, level, cue) => {
    const a = assessCrisis(text);
    expect(a.level).toBe(level);
    expect(a.indicators.map((i) => i.cue)).toContain(cue);
    expect(a.requiresIntervention).toBe(crisisLevelAtLeast(level as 'high', 'high'));
  });

  it.each([
    'I would never hurt myself',
    "I'm not going to kill myself, don't worry",
    'My friend said "I want to kill myself" as a joke',
    'in the movie the hero wants to die for his country',
    'this traffic is killing me',
    'I cut myself shaving this morning',
    "I'm dying to see that new film",
    'how do I help a friend who says she wants to die?',
    'I almost killed myself laughing at that video',
  ])('no signal: %s', (text) => {
    expect(assessCrisis(text)).toEqual({ level: 'none', indicators: [], requiresIntervention: false });
  });

  it('caps a past episode at low', () => {
    expect(assessCrisis('I used to cut myself in high school').level).toBe('low');
  });

  it('reports cue ids, never the words, one per cue', () => {
    const a = assessCrisis('I want to die. I really want to die.');
    expect(a.indicators).toEqual([{ cue: 'want_to_die', category: 'suicidal_ideation', level: 'high' }]);
  });

  it('every lexicon entry names a known category and a unique cue', () => {
    const cues = CRISIS_LEXICON.map((e) => e.cue);
    expect(new Set(cues).size).toBe(cues.length);
    for (const e of CRISIS_LEXICON) expect(CRISIS_CATEGORIES).toContain(e.category);
  });
});
