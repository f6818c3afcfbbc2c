// The crisis verdict of the ensemble: the lexicon (slang, abbreviations and exact phrasings a sentence
// model cannot know), the sentence model's head, and an LLM classification when one is configured.
// It never lowers a level: the verdict is the highest any source gives, and every source that flags adds
// its indicator. A false alarm costs a check-in; a miss can cost a life. Pure.
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
}

const indicatorOf = (source: 'model' | 'llm', verdict: SourceVerdict | undefined): CrisisIndicator[] =>
  verdict && verdict.level !== 'none' && verdict.level !== 'low'
    ? [{ cue: `${source}:${verdict.category}`, category: verdict.category, level: verdict.level }]
    : [];

export function combineCrisis(sources: CrisisSources): CrisisAssessment {
  const indicators = [
    ...sources.lexicon.indicators,
    ...indicatorOf('model', sources.model),
    ...indicatorOf('llm', sources.llm),
  ];
  const level = indicators.reduce<CrisisLevel>((max, i) => (crisisLevelAtLeast(i.level, max) ? i.level : max), 'none');
  return { level, indicators, requiresIntervention: crisisLevelAtLeast(level, 'high') };
}
