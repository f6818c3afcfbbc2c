import { describe, expect, it } from 'vitest';
import { assessCrisis, crisisContext, crisisLevelAtLeast, CRISIS_CATEGORIES } from '../../src/domain/crisis.ts';
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

  it.each([
    ['ok ctb tonight, the notes are written', 'high', 'suicide_slang'],
    ['gonna unalive myself after the exams', 'high', 'suicide_slang'],
    ['I just drank bleach from under the sink', 'critical', 'poison_taken'],
    ['i took like 30 of my sleeping pills twenty minutes ago', 'critical', 'overdose_now'],
    ["I'm on the ledge of the multistorey and it's windy", 'critical', 'at_the_edge'],
    ['the razor is against my wrist right now', 'critical', 'blade_ready'],
    ["every morning I'm disappointed that I woke up", 'high', 'passive_death_wish'],
    ["I can't promise I'll stay safe tonight", 'high', 'cant_stay_safe'],
    ['relapsed last night, cut my thighs again', 'high', 'self_harm_slang'],
    ["I'm parked outside his office with a knife in my lap", 'critical', 'harm_others_waiting'],
    ['I keep thinking I want to jump off the bridge on my way home', 'high', 'method_wish'],
    ['I just want to end it for good', 'high', 'end_it_soon'],
    ['I wish I could go to sleep and never wake up', 'high', 'sleep_forever'],
    ['my family would be happier without me', 'high', 'world_without_me'],
  ])('newer cues: %s → %s', (text, level, cue) => {
    const a = assessCrisis(text);
    expect(a.level).toBe(level);
    expect(a.indicators.map((i) => i.cue)).toContain(cue);
  });

  it.each([
    'My roommate took too many pills last night, she is stable in hospital now.',
    'My cousin relapsed on self-harm and I am visiting her on Sunday.',
    'A coworker said he wanted to die after the layoffs, so I gave him the helpline number.',
    'My therapist asked if I had thoughts of harming myself and I said no.',
    'What should I say to someone who tells me they want to die?',
    'I had thoughts of suicide when I was at university. I am doing well now.',
    'Killing myself is not on the table, I just need more sleep.',
    "I haven't wanted to die in a long time.",
    "Tonight's the night I finally ask her out!",
    "I won't be here tomorrow, I'm on a training course.",
    "I don't want to be alive at 6am on a Sunday, the bin lorry is so loud.",
    'tired of existing in this heat, 35 degrees again',
    'I overdosed on cake at the party',
    'Took the whole box of paracetamol round to my nan, she had run out.',
  ])('no intervention for other people, the past, denials and everyday lines: %s', (text) => {
    expect(assessCrisis(text).requiresIntervention).toBe(false);
  });

  it('a joke the writer marks as one flags (medium) without intervening, unless they say it is not a joke', () => {
    const joke = assessCrisis('i want to die, the wifi went down mid match 😂 jk');
    expect(joke).toMatchObject({ level: 'medium', requiresIntervention: false });
    expect(joke.indicators.map((i) => i.cue)).toEqual(['want_to_die']);
    expect(assessCrisis("lol i want to die and i'm not joking").requiresIntervention).toBe(true);
    // a summary reports the user's words: its "jk" is not theirs to retract
    expect(
      assessCrisis('the user said they want to die, jk', { perspective: 'third_person' }).requiresIntervention,
    ).toBe(true);
  });

  it('a speaker followed by a new "I" clause is the writer again', () => {
    expect(assessCrisis('she said I should just kill myself').requiresIntervention).toBe(true);
    expect(assessCrisis('my dad took my phone so I want to die').requiresIntervention).toBe(true);
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

describe('crisisContext', () => {
  it.each([
    ["I'm not suicidal, I'm burnt out", ['denial']],
    ["I don't want to die, I want my manager to listen", ['denial']],
    ['No thoughts of hurting myself, just tired of the rain.', ['denial']],
    ['Five years ago I took an overdose. Today I got my degree and I am proud.', ['recovered']],
    ['Two years clean from cutting now, used to do it every week.', ['recovered']],
  ])('%s → %j', (text, ids) => {
    expect(crisisContext(text)).toEqual(ids);
  });

  it.each([
    'I want to die',
    "I don't want to be alive anymore",
    'I used to be okay. Now I want to die again.',
    'Last year I survived an attempt and tonight I have the pills ready.',
    "I'm not okay, I keep thinking about killing myself",
  ])('none for: %s', (text) => {
    expect(crisisContext(text)).toEqual([]);
  });
});
