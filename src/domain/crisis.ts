// Crisis signal detection: the one detector the chat, voice and safety paths share. Pure.
// The cues are in crisis-lexicon.ts (a reviewable table). This module decides which matches count:
// - negation: a negator just before a cue cancels it ("I would never hurt myself"), unless the cue is
//   itself a negative phrase ("I don't want to live");
// - quotation and reported speech: a cue inside quotes or after "he said", "in the movie", "the song
//   goes" is someone else's words, not the user's state;
// - history: "I used to cut myself", "when I was 20 I wanted to die" describe the past, not the writer's
//   state now; the sentence model weighs the rest of the message.
// Bias: when unsure, flag. A false alarm costs a check-in; a miss can cost a life.
import type { CrisisLevel } from './enums.ts';
import { CRISIS_CONTEXT, CRISIS_LEXICON } from './crisis-lexicon.ts';

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

const ORDER: readonly CrisisLevel[] = ['none', 'low', 'medium', 'high', 'critical'];
export const crisisLevelAtLeast = (level: CrisisLevel, floor: CrisisLevel) =>
  ORDER.indexOf(level) >= ORDER.indexOf(floor);

/** Lower case, straight quotes, the apostrophe-less contractions people type on phones. */
export function normalizeForCrisis(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’`´]/g, "'")
    .replace(/[“”„«»]/g, '"')
    .replace(
      /\b(dont|cant|wont|im|ive|didnt|wouldnt|isnt|whats)\b/g,
      (w) =>
        ({
          dont: "don't",
          cant: "can't",
          wont: "won't",
          im: "i'm",
          ive: "i've",
          didnt: "didn't",
          wouldnt: "wouldn't",
          isnt: "isn't",
          whats: "what's",
        })[w]!,
    )
    .replace(/\s+/g, ' ');
}

/** The clause before `index`: back to the last sentence end, semicolon or "but". */
function clauseBefore(text: string, index: number): string {
  const before = text.slice(0, index);
  const but = before.lastIndexOf(' but ');
  const cut = Math.max(before.search(/[^.!?;\n]*$/), but === -1 ? 0 : but + 5);
  return before.slice(cut);
}

const NEGATOR =
  /\b(?:never|not|no|don't|do not|didn't|won't|wouldn't|would never|isn't|ain't|nor|can't imagine|no way i'd|haven't|hasn't|wasn't|zero)\b/g;

/** A negator within four words before the cue, with no new "I" clause in between ("I don't know why I want to die" is not negated). */
function isNegated(prefix: string): boolean {
  const matches = [...prefix.matchAll(NEGATOR)];
  const last = matches.at(-1);
  if (!last) return false;
  const between = prefix.slice(last.index + last[0].length);
  if (/\bi\b|\bstop\b|\bsure\b|\bknow\b/.test(between)) return false;
  return between.trim().split(/\s+/).filter(Boolean).length <= 4;
}

function isQuoted(text: string, index: number): boolean {
  const quotes = (text.slice(0, index).match(/"/g) ?? []).length;
  return quotes % 2 === 1 && text.indexOf('"', index) !== -1;
}

// Someone else's words: "my friend said", "he told me", "my roommate took too many pills", "in the movie",
// "the lyrics go", "what should I say to someone who…". A speaker followed by a new "I" clause ("she said I
// should just die", "he left so I want to die") is the writer's own state again.
const RELATION =
  '(?:friend|bff|brother|sister|mom|mum|dad|mother|father|cousin|partner|boyfriend|girlfriend|husband|wife|son|daughter|kid|child|uncle|aunt|nephew|niece|grandfather|grandmother|grandad|granddad|grandpa|grandma|gran|nan|coworker|colleague|classmate|roommate|flatmate|housemate|neighbou?r|student|patient|client|teacher|boss)';
const REPORTED_SPEAKER = new RegExp(
  String.raw`\b(?:he|she|they|someone|somebody|people|(?:my|a|our|his|her) (?:\w+ )?${RELATION}(?:-in-law)?)\s+(?:said|says|say|told|tells|wrote|writes|posted|texted|asked|keeps saying|kept saying|was saying|screamed|yelled|took|has taken|had taken|relapsed|tried|attempted|threatened|mentioned|admitted)\b`,
  'g',
);
const REPORTED_FRAME =
  /\b(?:asked|asks|asking) (?:me |us )?(?:if|whether)\b|\bsomeone who (?:tells|says|said|told|wants|is)\b|\bwhat (?:should|do|can|would) i say to\b|\b(?:in|from) (?:the|a|that|this) (?:movie|film|book|show|series|song|novel|game|episode|article|podcast|documentary)\b|\b(?:lyrics?|the song|the character|the line|the quote)\b|\bwhat (?:does|do) (?:it|you) mean (?:when|if)\b|\bhow (?:do|can|should) i (?:help|support)\b/g;
// A third-person subject right before the cue: "my roommate took too many pills", "my cousin relapsed".
const OTHER_SUBJECT = new RegExp(
  String.raw`\b(?:he|she|they|(?:my|a|our|his|her) (?:\w+ )?${RELATION}(?:-in-law)?)\s*$`,
);
const NEW_CLAUSE = /\b(?:and|so|then|now|because|but)\s+i(?:'m|'ve|'ll|'d)?\b/;

function isReported(prefix: string): boolean {
  const last = (pattern: RegExp) => [...prefix.matchAll(pattern)].at(-1);
  if (OTHER_SUBJECT.test(prefix)) return true;
  const speaker = last(REPORTED_SPEAKER);
  if (speaker && !/\bi(?:'m|'ve|'ll|'d)?\b/.test(prefix.slice(speaker.index + speaker[0].length))) return true;
  const frame = last(REPORTED_FRAME);
  return !!frame && !NEW_CLAUSE.test(prefix.slice(frame.index + frame[0].length));
}

const HISTORY =
  /\b(?:used to|years ago|months ago|in the past|before(?=,)|back (?:when|then|in)|when i was (?:a kid|little|younger|a teen(?:ager)?|in (?:high )?school|at (?:uni|university|college|school)|\d+|\w+teen|twenty\w*)|a long time ago|there was a time|no longer|last (?:year|winter|summer|spring|autumn|fall)|in (?:19|20)\d\d|before i (?:had|got|found|started)|after my)\b/;

// The past named after a cue in the past tense ("I had thoughts of suicide when I was at university"), or a
// cue the rest of the clause denies or ends ("killing myself is not on the table", "those thoughts stopped").
const PAST_TENSE_CUE = /\b(?:had|was|were|felt|wanted|tried|thought|did|took|cut|hurt|attempted|thinking)\b/;
const HISTORY_AFTER =
  /^[^.!?;]*?(?<!since )\b(?:years ago|months ago|when i was|back (?:then|in)|as a (?:kid|teen(?:ager)?|student)|in (?:19|20)\d\d|last year|at (?:uni|university|school|college))\b/;
const DENIED_AFTER =
  /^\s*(?:is|was|are|were)\s+(?:not|never|off the table|out of the question)\b|^\s*(?:isn't|wasn't|aren't|weren't)\b|^\s*(?:have|has)?\s*(?:stopped|went away|gone away|faded|passed)\b/;

// A joke the writer marks as one ("i want to die, the wifi went out 😂 jk"): a cue still flags (medium,
// a check-in) but does not reach the safety network on its own, unless the writer says it is not a joke.
const JOKE =
  /\b(?:jk|j\/k|just kidding|kidding|joking|not really|not literally)\b|\(?i (?:won't|wouldn't)(?: really| actually)?[,)]|😂|🤣|😆|😹/;
const NOT_JOKING =
  /\b(?:not|no|isn't|wasn't|ain't|stop)\s+(?:\w+\s+)?(?:joking|kidding|a joke|playing)\b|\bno joke\b|\bi(?:'m| am) serious\b|\b(?:for real|fr|deadass|unless)\b|\b'joking'/;

/**
 * A summary written about the user ("the caller said they want to die", "he plans to kill himself") read
 * as if the user said it, so the first-person lexicon applies. Deliberately broad: in a summary, a
 * third-person cue is about the user far more often than not, and a miss is the worse error.
 */
export function toFirstPerson(text: string): string {
  return text
    .replace(
      /\b(?:the (?:user|caller|client|patient|person|customer|member)|user|caller|they|he|she)\b(?:\s+(?:said|says|stated|mentioned|reported|expressed|shared|told (?:me|us|the assistant)|explained|admitted)(?:\s+that)?)?/g,
      'i',
    )
    .replace(/\b(?:i\s+)+(?=\S)/g, 'i ')
    .replace(/\b(?:themselves|themself|himself|herself)\b/g, 'myself')
    .replace(/\b(?:their|his)\b/g, 'my')
    .replace(/\bi (?:is|are)\b/g, "i'm")
    .replace(/\bi (?:has)\b/g, 'i have')
    .replace(/\bi (\w+?)s\b/g, 'i $1');
}

/**
 * Assesses one text (always the original, never a redacted form). `third_person` is for summaries
 * written about the user (call summaries): reported speech counts, and he/she/they read as "I".
 * @example assessCrisis('I want to die').level // 'high'
 * @example assessCrisis('I would never hurt myself').level // 'none'
 */
export function assessCrisis(
  text: string,
  options: { perspective?: 'first_person' | 'third_person' } = {},
): CrisisAssessment {
  const summary = options.perspective === 'third_person';
  const normalized = summary ? toFirstPerson(normalizeForCrisis(text)) : normalizeForCrisis(text);
  const indicators: CrisisIndicator[] = [];
  const joking = !summary && JOKE.test(normalized) && !NOT_JOKING.test(normalized);
  for (const entry of CRISIS_LEXICON) {
    for (const match of normalized.matchAll(new RegExp(entry.pattern.source, 'g'))) {
      const prefix = clauseBefore(normalized, match.index);
      // In a summary every sentence reports the user's words: that is the point, not a reason to skip.
      if (!summary && (isQuoted(normalized, match.index) || isReported(prefix))) continue;
      if (!entry.negationIsPartOfCue && isNegated(prefix)) continue;
      if (HISTORY.test(prefix)) continue;
      const after = normalized.slice(match.index + match[0].length);
      if (DENIED_AFTER.test(after) || (PAST_TENSE_CUE.test(match[0]) && HISTORY_AFTER.test(after))) continue;
      const level = joking && crisisLevelAtLeast(entry.level, 'high') ? 'medium' : entry.level;
      indicators.push({ cue: entry.cue, category: entry.category, level });
    }
  }
  const level = indicators.reduce<CrisisLevel>((max, i) => (crisisLevelAtLeast(i.level, max) ? i.level : max), 'none');
  return { level, indicators: dedupe(indicators), requiresIntervention: crisisLevelAtLeast(level, 'high') };
}

/** One indicator per cue, at its highest level. */
function dedupe(indicators: CrisisIndicator[]): CrisisIndicator[] {
  const byCue = new Map<string, CrisisIndicator>();
  for (const i of indicators) {
    const seen = byCue.get(i.cue);
    if (!seen || !crisisLevelAtLeast(seen.level, i.level)) byCue.set(i.cue, i);
  }
  return [...byCue.values()];
}

/**
 * The context cues of a first-person text (see CRISIS_CONTEXT): a denial of the crisis or a crisis told as
 * come through. The ensemble lets the sentence model flag such text but not, on its own, intervene.
 */
export function crisisContext(text: string): ('denial' | 'recovered')[] {
  const normalized = normalizeForCrisis(text);
  return CRISIS_CONTEXT.filter((c) => c.pattern.test(normalized)).map((c) => c.id);
}
