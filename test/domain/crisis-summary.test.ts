import { describe, expect, it } from 'vitest';
import { assessCrisis } from '../../src/domain/crisis.ts';

describe('crisis detection in summaries written about the user (third person)', () => {
  it.each([
    ['They said they want to die.', 'high'],
    ['The caller mentioned that she wants to kill herself tonight.', 'high'],
    ['User expressed that he is suicidal and has been cutting himself.', 'high'],
    ['The user stated they do not want to live anymore.', 'high'],
    ['He said "I am going to end it all"', 'critical'],
  ])('%s → at least %s', (text, level) => {
    const a = assessCrisis(text, { perspective: 'third_person' });
    expect(a.requiresIntervention, JSON.stringify(a)).toBe(true);
    if (level === 'critical') expect(a.level).toBe('critical');
  });

  it.each([
    'The caller said she would never hurt herself and is looking forward to the weekend.',
    'They talked about their new job and a trip to see family.',
  ])('no signal: %s', (text) => {
    expect(assessCrisis(text, { perspective: 'third_person' }).level).toBe('none');
  });

  it('first-person chat still discounts reported speech', () => {
    expect(assessCrisis('My friend said she wants to die, how do I help her?').requiresIntervention).toBe(false);
  });
});
