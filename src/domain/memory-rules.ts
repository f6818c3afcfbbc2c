// The rule-based extractor's rules: one sentence pattern → one kind of memory with its prior scores.
// relevance = how useful for future conversations; stability = how long it stays true (a diagnosis or a
// bereavement ~0.9, a mood this week ~0.3); explicitness = stated outright (0.9+) or inferred (≤ 0.7).
// `slot` marks a single-valued fact (where the user lives, their job): a new value for the same slot
// contradicts the old one (consolidation archives it). Patterns run on a lower-cased sentence.
import type { MemoryType, SignificanceCategory } from './enums.ts';

export interface MemoryRule {
  id: string;
  memoryType: MemoryType;
  category: SignificanceCategory;
  relevance: number;
  stability: number;
  explicitness: number;
  pattern: RegExp;
  /** Single-valued fact: the slot name; the pattern's first group is the value. */
  slot?: string;
}

const RELATIONS =
  'wife|husband|partner|boyfriend|girlfriend|fianc[eé]e?|mom|mum|mother|dad|father|sister|brother|son|daughter|best friend|friend|roommate|therapist|counsel(?:l)?or|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousin|boss|dog|cat';
const CONDITIONS =
  'anxiety|depression|adhd|add|ptsd|ocd|bipolar(?: disorder)?|diabetes|asthma|insomnia|migraines?|chronic pain|an eating disorder|anorexia|bulimia|autism|epilepsy|fibromyalgia|long covid|cancer|arthritis|panic disorder|social anxiety|seasonal depression';
const MEDICATIONS =
  'sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|wellbutrin|bupropion|lithium|adderall|ritalin|melatonin|medication|meds|antidepressants|insulin|an inhaler';
const FEELING =
  'anxious|nervous|sad|lonely|angry|stressed|panicky|overwhelmed|low|down|tired|irritable|scared|insecure|depressed|numb';

export const MEMORY_RULES: readonly MemoryRule[] = [
  {
    id: 'lives_in',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.6,
    stability: 0.7,
    explicitness: 0.95,
    slot: 'home_city',
    pattern:
      /\bi (?:live|am living|'m living|'m based|am based|(?:just |recently )?moved|'ve moved|have moved|relocated)(?: back)? (?:in|to) ((?:[a-z.'-]+ ?){1,3})/,
  },
  {
    id: 'occupation',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.6,
    stability: 0.7,
    explicitness: 0.95,
    slot: 'occupation',
    pattern: /\bi (?:work|am working|'m working) as (?:an? )?((?:[a-z-]+ ?){1,3})/,
  },
  {
    id: 'employer',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.5,
    stability: 0.7,
    explicitness: 0.95,
    slot: 'employer',
    pattern: /\bi (?:work|am working|'m working|started working) (?:at|for) ((?:[a-z0-9&.'-]+ ?){1,3})/,
  },
  {
    id: 'studies',
    memoryType: 'personal_fact',
    category: 'growth',
    relevance: 0.6,
    stability: 0.6,
    explicitness: 0.95,
    slot: 'studies',
    pattern: /\bi(?:'m| am) (?:studying|majoring in|doing a degree in) ((?:[a-z-]+ ?){1,3})/,
  },
  {
    id: 'name',
    memoryType: 'personal_fact',
    category: 'other',
    relevance: 0.7,
    stability: 0.95,
    explicitness: 1,
    slot: 'name',
    pattern: /\b(?:my name is|call me|i go by) ([a-z][a-z'-]+)/,
  },
  {
    id: 'age',
    memoryType: 'personal_fact',
    category: 'other',
    relevance: 0.4,
    stability: 0.5,
    explicitness: 1,
    slot: 'age',
    pattern:
      /\bi(?:'m| am| just turned) (\d{1,2})(?: years old| yo\b|\b(?! (?:minutes|hours|days|weeks|months|miles|km|times)))/,
  },
  {
    id: 'diagnosis',
    memoryType: 'health',
    category: 'health',
    relevance: 0.85,
    stability: 0.9,
    explicitness: 0.95,
    pattern: new RegExp(
      String.raw`\bi (?:have|was diagnosed with|'ve been diagnosed with|got diagnosed with|suffer from|struggle with|live with|deal with) (?:severe |mild |chronic |really bad )?(?:${CONDITIONS})\b`,
    ),
  },
  {
    id: 'medication',
    memoryType: 'health',
    category: 'health',
    relevance: 0.8,
    stability: 0.7,
    explicitness: 0.95,
    pattern: new RegExp(
      String.raw`\bi(?:'m| am| started| have started|'ve started| take| started taking) (?:on |taking )?(?:${MEDICATIONS})\b`,
    ),
  },
  {
    id: 'therapy',
    memoryType: 'health',
    category: 'health',
    relevance: 0.75,
    stability: 0.7,
    explicitness: 0.95,
    pattern:
      /\bi (?:see|saw|started seeing|have) an? (?:therapist|counsell?or|psychiatrist|psychologist)\b|\bi(?:'m| am) in therapy\b/,
  },
  {
    id: 'bereavement',
    memoryType: 'event',
    category: 'relational',
    relevance: 0.9,
    stability: 0.95,
    explicitness: 0.95,
    pattern: new RegExp(String.raw`\bmy (?:${RELATIONS}) (?:passed away|died|passed)\b|\bi lost my (?:${RELATIONS})\b`),
  },
  {
    id: 'life_event',
    memoryType: 'event',
    category: 'growth',
    relevance: 0.8,
    stability: 0.8,
    explicitness: 0.95,
    pattern:
      /\bi (?:just |finally )?(?:got|was|have been|'ve been) (?:promoted|fired|laid off|married|engaged|divorced|dumped|accepted into|hired|discharged|evicted)\b|\b(?:we|i) (?:just )?broke up\b|\bi(?:'m| am) (?:pregnant|graduating|retiring)\b|\bi(?:'m| am)? ?(?:start|starting|started) (?:a |my )?new (?:job|school|semester|role)\b/,
  },
  {
    id: 'relationship_named',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.7,
    stability: 0.8,
    explicitness: 0.95,
    pattern: new RegExp(
      String.raw`\bmy (?:${RELATIONS})(?:'s name is| is called| is named|,| named| called) ([a-z][a-z'-]+)\b`,
    ),
  },
  {
    id: 'relationship',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.65,
    stability: 0.6,
    explicitness: 0.85,
    pattern: new RegExp(
      String.raw`\bmy (?:${RELATIONS}) (?:is|was|has|had|lives|works|keeps|always|never|and i|makes|helps|supports|doesn't|does not|won't|visited|called)\b`,
    ),
  },
  {
    id: 'coping',
    memoryType: 'coping_strategy',
    category: 'emotional',
    relevance: 0.8,
    stability: 0.7,
    explicitness: 0.9,
    pattern:
      /\b(?:helps|help|calms|calm) me (?:calm down|relax|feel better|cope|sleep|ground myself|unwind|focus)\b|\bwhen i(?:'m| am| feel| get) (?:stressed|anxious|sad|upset|overwhelmed|low|angry),? i (?!don't|can't)\w+/,
  },
  {
    id: 'trigger',
    memoryType: 'trigger',
    category: 'emotional',
    relevance: 0.8,
    stability: 0.7,
    explicitness: 0.85,
    pattern:
      /\btriggers? (?:me|my anxiety|my panic|my depression)\b|\b(?:makes|make) me (?:anxious|panic|panicky|spiral)\b|\bi (?:get|feel) (?:anxious|panicky|nervous|scared|stressed|triggered) (?:when|around|before|in|about|whenever)\b/,
  },
  {
    id: 'emotional_pattern',
    memoryType: 'emotional_pattern',
    category: 'emotional',
    relevance: 0.7,
    stability: 0.5,
    explicitness: 0.7,
    pattern: new RegExp(
      String.raw`\bi (?:always|often|usually|tend to|keep|regularly) (?:feel|get|end up feeling) (?:so |really |very )?(?:${FEELING})\b|\bi(?:'ve| have) been feeling (?:so |really |very )?(?:${FEELING}) (?:lately|a lot|for weeks|for months|recently|all week)`,
    ),
  },
  {
    id: 'goal',
    memoryType: 'goal',
    category: 'growth',
    relevance: 0.75,
    stability: 0.5,
    explicitness: 0.9,
    pattern:
      /\b(?:i want to|i'd like to|i plan to|i'm planning to|i hope to|my goal is to|i'm trying to|i've decided to|i'm going to start|i wanna)\s+(?:start |stop |quit |learn |get |be |run |finish |save |lose |find |go |make |spend |sleep |exercise |meditate |read |write |apply |move |cut |drink |eat |work |practice |improve |try |cook |walk |join |take |build |become |visit |call |reconnect )/,
  },
  {
    id: 'favorite',
    memoryType: 'preference',
    category: 'routine',
    relevance: 0.5,
    stability: 0.7,
    explicitness: 1,
    pattern: /\bmy favou?rite [a-z ]{2,20} (?:is|are) \w+/,
  },
  {
    id: 'likes',
    memoryType: 'preference',
    category: 'routine',
    relevance: 0.5,
    stability: 0.6,
    explicitness: 0.9,
    pattern:
      /\bi (?:really |absolutely )?(?:love|like|enjoy|adore|prefer|hate|can't stand|dislike|don't like) (?!you\b|it\b|that\b|this\b|them\b|him\b|her\b|when\b|how\b|the way you\b)(?:to |going |doing |playing |reading |watching |listening |eating |[a-z]+ing\b|[a-z]{3,})/,
  },
];
