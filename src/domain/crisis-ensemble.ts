// The crisis verdict of the ensemble: the lexicon (slang, abbreviations and exact phrasings a sentence
// model cannot know), the sentence model's head, and an LLM classification when one is configured.
// It never lowers the lexicon's or the LLM's level: the verdict is the highest any source gives, and every
// source that flags adds its indicator. One exception, for the sentence model only: in a text whose context
// says the crisis is denied or past (crisisContext: "I'm not suicidal, just burnt out", "three years clean
// now"), the model's vote is held at medium (a check-in), because such text is made of the very words the
// model reads as a crisis and the safety network would be reached for nothing. The lexicon's cues, with their
// own negation and history rules, still intervene there. A false check-in is cheap; a miss can cost a life. Pure.
import { type CrisisAssessment, type CrisisCategory, type CrisisIndicator, crisisLevelAtLeast } from './crisis.ts';
import type { CrisisLevel } from './enums.ts';

export interface SourceVerdict {
  level: CrisisLevel;
  category: CrisisCategory;
}

export interface CrisisSources {
  lexicon: CrisisAssessment;
  /** Absent when the model could not run (the lexicon and LLM still decide). */
  model?: SourceVerdict | undefined;
  llm?: SourceVerdict | undefined;
  /** The text's context cues (crisisContext); with any, the model's vote is held at medium. */
  context?: readonly string[] | undefined;
}

const heldAtMedium = (verdict: SourceVerdict | undefined, context: readonly string[] | undefined) =>
  verdict && context?.length && crisisLevelAtLeast(verdict.level, 'high')
    ? { ...verdict, level: 'medium' as const }
    : verdict;

const indicatorOf = (source: 'model' | 'llm', verdict: SourceVerdict | undefined): CrisisIndicator[] =>
  verdict && verdict.level !== 'none' && verdict.level !== 'low'
    ? [{ cue: `${source}:${verdict.category}`, category: verdict.category, level: verdict.level }]
    : [];

export function combineCrisis(sources: CrisisSources): CrisisAssessment {
  const indicators = [
    ...sources.lexicon.indicators,
    ...indicatorOf('model', heldAtMedium(sources.model, sources.context)),
    ...indicatorOf('llm', sources.llm),
  ];
  const level = indicators.reduce<CrisisLevel>((max, i) => (crisisLevelAtLeast(i.level, max) ? i.level : max), 'none');
  return { level, indicators, requiresIntervention: crisisLevelAtLeast(level, 'high') };
}
