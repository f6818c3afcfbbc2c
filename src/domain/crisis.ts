// Crisis signal detection: the one detector the chat, voice and safety paths share. Pure.
// This is the interface and a minimal lexicon; the chat issue replaces the implementation with the
// full, reviewable lexicon (negation and quotation handling), keeping these signatures.
import type { CrisisLevel } from './enums.ts';

export const CRISIS_CATEGORIES = ['suicidal_ideation', 'self_harm', 'harm_to_others', 'acute_distress'] as const;
export type CrisisCategory = (typeof CRISIS_CATEGORIES)[number];

export interface CrisisIndicator {
  category: CrisisCategory;
  /** The lexicon entry that matched (an id, never the user's words). */
  cue: string;
  level: CrisisLevel;
}

export interface CrisisAssessment {
  level: CrisisLevel;
  indicators: CrisisIndicator[];
  /** High or critical: the safety network must be reached. */
  requiresIntervention: boolean;
}

const LEXICON: { cue: string; category: CrisisCategory; level: CrisisLevel; pattern: RegExp }[] = [
  { cue: 'kill_myself', category: 'suicidal_ideation', level: 'critical', pattern: /\b(kill|end)\s+(myself|my life)\b/i },
  { cue: 'want_to_die', category: 'suicidal_ideation', level: 'high', pattern: /\bwant(ed)? to die\b/i },
  { cue: 'hurt_myself', category: 'self_harm', level: 'high', pattern: /\b(hurt|cut|harm)(ing)? myself\b/i },
  { cue: 'hurt_someone', category: 'harm_to_others', level: 'high', pattern: /\b(kill|hurt) (him|her|them|someone)\b/i },
  { cue: 'cant_go_on', category: 'acute_distress', level: 'medium', pattern: /\bcan'?t go on\b/i },
];

const ORDER: readonly CrisisLevel[] = ['none', 'low', 'medium', 'high', 'critical'];
export const crisisLevelAtLeast = (level: CrisisLevel, floor: CrisisLevel) => ORDER.indexOf(level) >= ORDER.indexOf(floor);

/**
 * Assesses one text (always the original, never a redacted form).
 * @example assessCrisis('I want to die').level // 'high'
 */
export function assessCrisis(text: string): CrisisAssessment {
  const indicators = LEXICON.filter((e) => e.pattern.test(text)).map(({ cue, category, level }) => ({ cue, category, level }));
  const level = indicators.reduce<CrisisLevel>((max, i) => (crisisLevelAtLeast(i.level, max) ? i.level : max), 'none');
  return { level, indicators, requiresIntervention: crisisLevelAtLeast(level, 'high') };
}
