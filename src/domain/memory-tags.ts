// Memory tags: what a memory is about, to filter (GET /v1/memories?tag=) and to show. Pure.
// Extraction sets them: the rule's topic first ("pet", "work", "health" …), then what the memory names —
// the people, animals and places it mentions by kind ("cat", "sister", "gp") and by name ("pepper",
// "leeds"). The user may replace them (PATCH /v1/memories/:id); both paths go through normalizeTag, so a
// filter always compares like with like.
import type { MemoryType } from './enums.ts';
import type { MemoryTopic } from './memory-rules.ts';

export const MAX_TAGS = 12;
export const MAX_TAG_LENGTH = 40;

/** Lower case, inner spaces single, only letters, digits, spaces and hyphens kept; '' when nothing is left. */
export const normalizeTag = (tag: string): string =>
  tag
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TAG_LENGTH)
    .trim();

/** Kinds of people, animals and places a memory can name: kept as tags when the content mentions them. */
const KINDS =
  /\b(?:wife|husband|partner|boyfriend|girlfriend|mum|mom|mother|dad|father|sister|brother|son|daughter|kids|children|grandma|gran|nan|grandad|grandpa|grandmother|grandfather|aunt|uncle|cousin|friend|best friend|roommate|flatmate|boss|manager|colleague|therapist|counsellor|psychiatrist|gp|doctor|nurse|cat|dog|puppy|kitten|rabbit|hamster|parrot|horse|goldfish|fish|retriever|flat|house|apartment|hometown|university|school|band|job)\b/g;
/** Capitalised words that are not names. */
const NOT_NAMES = new Set(['i', "i'm", "i've", "i'd", "i'll", 'dr', 'mr', 'mrs', 'ms', 'st', 'prof', 'my', 'the']);

/** Names: capitalised words after a sentence's first word (placeholders such as [EMAIL] excluded). */
function names(content: string): string[] {
  const words = content.replace(/\[[A-Z_]+\]/g, ' ').split(/\s+/);
  return words
    .slice(1)
    .map((w) => w.replace(/^[^\p{L}]+|[^\p{L}'-]+$/gu, '').replace(/'s$/, ''))
    .filter((w) => /^\p{Lu}\p{Ll}/u.test(w) && !NOT_NAMES.has(w.toLowerCase()));
}

/** The tags extraction gives a memory: topic, then kinds and names it mentions, then its slot value. */
export function memoryTags(content: string, topic: MemoryTopic, value?: string): string[] {
  const kinds = content.toLowerCase().match(KINDS) ?? [];
  return uniqueTags([topic, ...kinds, ...names(content), ...(value ? [value] : [])]);
}

export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag).filter(Boolean))].slice(0, MAX_TAGS);
}

/** The topic of a memory no rule produced (a model's), from its type. */
export const TOPIC_OF_TYPE: Readonly<Record<MemoryType, MemoryTopic>> = Object.freeze({
  personal_fact: 'other',
  preference: 'preference',
  goal: 'goal',
  relationship: 'relationship',
  event: 'life-event',
  emotional_pattern: 'emotion',
  coping_strategy: 'coping',
  trigger: 'emotion',
  health: 'health',
});
