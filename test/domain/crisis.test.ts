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

  it.each([
    'I used to cut myself in high school',
    'When I was 20 I wanted to die every day. I am 35 now and happy.',
    'This is my last message tonight, going to bed. Speak tomorrow!',
    "I don't want to live in this damp flat any more, we're looking at houses.",
    "I'm going to kill my brother for eating my leftovers, haha.",
    "I'm going to end it with him tonight. We've been unhappy for months.",
    'I wish I could vanish for the weekend and switch my phone off.',
  ])('the lexicon does not flag the past or everyday phrasings: %s', (text) => {
    expect(assessCrisis(text).indicators).toEqual([]);
  });

  it.each([
    'This is my last message. Goodbye everyone.',
    "I don't want to live in this world anymore",
    "I'm going to end it tonight",
    'I wish I could just disappear',
  ])('while the crisis phrasings they resemble still flag: %s', (text) => {
    expect(assessCrisis(text).level).not.toBe('none');
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
