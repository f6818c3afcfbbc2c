// Model-based memory candidates for first-person statements no rule covers. Pure (the vectors come in).
//
// A statement is compared with two small sets of example sentences, embedded once per process by the
// sentence model: things people say about themselves that are worth remembering (each with the memory type,
// category and topic it would have), and things that are not (chit-chat, reactions to the conversation,
// passing moods). It becomes a candidate when it is in the first person, its nearest worthy example is at
// least MIN_SIMILARITY and closer than every unworthy one. The memory takes that example's type and topic;
// explicitness is lower than a rule's (0.4–0.7: the model inferred that it is a fact), so it ranks and
// consolidates below a stated one.
import type { MemoryType, SignificanceCategory } from './enums.ts';
import type { MemoryTopic } from './memory-rules.ts';

export interface Exemplar {
  text: string;
  memoryType: MemoryType;
  category: SignificanceCategory;
  topic: MemoryTopic;
}

const e = (text: string, memoryType: MemoryType, category: SignificanceCategory, topic: MemoryTopic): Exemplar => ({
  text,
  memoryType,
  category,
  topic,
});

export const WORTHY_EXAMPLES: readonly Exemplar[] = [
  e('I have a rabbit who lives in the garden.', 'relationship', 'relational', 'pet'),
  e('Our old dog sleeps on my bed every night.', 'relationship', 'relational', 'pet'),
  e('I teach maths at a secondary school.', 'personal_fact', 'routine', 'work'),
  e('I drive a delivery van for a living.', 'personal_fact', 'routine', 'work'),
  e('I got a new position in the finance team.', 'personal_fact', 'routine', 'work'),
  e('My brother and I barely speak since the wedding.', 'relationship', 'relational', 'family'),
  e('I look after my elderly father at weekends.', 'relationship', 'relational', 'family'),
  e('My partner and I have been together for six years.', 'relationship', 'relational', 'relationship'),
  e('I was diagnosed with diabetes when I was twelve.', 'health', 'health', 'health'),
  e('I need a knee operation next year.', 'health', 'health', 'health'),
  e('I sleep badly since the accident.', 'health', 'health', 'health'),
  e('I paint watercolours of the sea.', 'preference', 'routine', 'hobby'),
  e('I sing in a local choir.', 'preference', 'routine', 'hobby'),
  e('I climb at an indoor wall twice a week.', 'preference', 'routine', 'hobby'),
  e('I moved here from Poland when I was ten.', 'personal_fact', 'routine', 'place'),
  e('I share a house with three students.', 'personal_fact', 'routine', 'place'),
  e('Heights make my legs go weak.', 'trigger', 'emotional', 'fear'),
  e('Hospitals fill me with dread.', 'trigger', 'emotional', 'fear'),
  e('I check my phone first thing when I wake up.', 'personal_fact', 'routine', 'habit'),
  e('I skip lunch most days.', 'personal_fact', 'routine', 'habit'),
  e('I am training for a marathon in April.', 'goal', 'growth', 'goal'),
  e('I am saving up for a flat of my own.', 'goal', 'growth', 'goal'),
  e('I was in the army for eight years.', 'event', 'growth', 'life-event'),
  e('I left school at sixteen.', 'event', 'growth', 'life-event'),
  e('I speak Spanish and Portuguese.', 'personal_fact', 'other', 'identity'),
  e('I am the youngest of four.', 'relationship', 'relational', 'family'),
  e('Talking to my aunt always calms me down.', 'coping_strategy', 'emotional', 'coping'),
  e('I am a huge fan of Liverpool football club.', 'preference', 'routine', 'preference'),
];

export const UNWORTHY_EXAMPLES: readonly string[] = [
  'I think so.',
  'I am not sure what you mean.',
  'I agree with you.',
  'I just wanted to say hi.',
  'I am fine thanks.',
  'I guess that makes sense.',
  'I will think about it.',
  'I see what you mean.',
  'I have to go now.',
  'I was just wondering.',
  'I am a bit tired today.',
  'I had pasta for lunch today.',
  'I forgot what I was going to say.',
  'I really appreciate your help.',
  'I do not know.',
  'I am back.',
];

/** Nearest worthy example at which a first-person statement becomes a candidate (tuned on the dev set). */
export const MIN_SIMILARITY = 0.45;

const FIRST_PERSON = /\b(?:i|i'm|i've|i'd|me|my|mine|we|we're|we've|our|us)\b/i;

export interface ModelVerdict {
  exemplar: Exemplar;
  similarity: number;
  explicitness: number;
}

/**
 * Whether a statement with no rule is memory-worthy: the nearest worthy example and the explicitness the
 * candidate gets, or undefined. `similarities` are the statement's cosines with WORTHY_EXAMPLES and
 * UNWORTHY_EXAMPLES, in their order.
 */
export function judgeStatement(
  sentence: string,
  worthy: readonly number[],
  unworthy: readonly number[],
): ModelVerdict | undefined {
  if (!FIRST_PERSON.test(sentence.replace(/[‘’]/g, "'"))) return undefined;
  let best = 0;
  for (let i = 1; i < worthy.length; i++) if (worthy[i]! > worthy[best]!) best = i;
  const similarity = worthy[best] ?? 0;
  if (similarity < MIN_SIMILARITY || unworthy.some((u) => u >= similarity)) return undefined;
  // 0.4 at the threshold, rising with similarity, never above 0.7 (inferred, not stated outright).
  const explicitness = Math.min(0.7, 0.4 + (similarity - MIN_SIMILARITY));
  return { exemplar: WORTHY_EXAMPLES[best]!, similarity, explicitness };
}
