// The rule-based extractor's rules: one sentence pattern → one kind of memory with its prior scores.
// relevance = how useful for future conversations; stability = how long it stays true (a diagnosis or a
// bereavement ~0.9, a mood this week ~0.3); explicitness = stated outright (0.9+) or inferred (≤ 0.7).
// `slot` marks a single-valued fact (where the user lives, their job): a new value for the same slot
// contradicts the old one (consolidation archives it). `topic` is what the memory is about: its first
// tag (memory-tags.ts). Patterns run on a lower-cased sentence.
import type { MemoryType, SignificanceCategory } from './enums.ts';

/** What a memory is about: the first of its tags, and the filter GET /v1/memories?tag= offers. */
export const MEMORY_TOPICS = [
  'identity',
  'place',
  'work',
  'study',
  'family',
  'relationship',
  'pet',
  'health',
  'hobby',
  'habit',
  'fear',
  'emotion',
  'coping',
  'goal',
  'preference',
  'life-event',
  'other',
] as const;
export type MemoryTopic = (typeof MEMORY_TOPICS)[number];

export interface MemoryRule {
  id: string;
  memoryType: MemoryType;
  category: SignificanceCategory;
  relevance: number;
  stability: number;
  explicitness: number;
  topic: MemoryTopic;
  pattern: RegExp;
  /** Single-valued fact: the slot name; the pattern's first group is the value. */
  slot?: string;
}

const FAMILY =
  'wife|husband|partner|boyfriend|girlfriend|fianc[eé]e?|mom|mum|mother|dad|father|sister|brother|son|daughter|kids?|children|baby|parents|step(?:mum|mom|dad|father|mother|son|daughter)|grandma|grandmother|gran|nan|nana|granny|grandpa|grandad|granddad|grandfather|grandparents|aunt|auntie|uncle|cousin|niece|nephew|twin|in-laws|mother-in-law|father-in-law|family';
const FRIENDS = 'best friend|friends?|roommate|flatmate|housemate|neighbou?r|ex';
const PETS =
  'cat|dog|puppy|pup|kitten|rabbit|bunny|hamster|guinea pig|parrot|budgie|bird|horse|pony|goldfish|fish|tortoise|turtle|snake|lizard|ferret|pet';
const CARERS = 'therapist|counsel(?:l)?or|psychiatrist|psychologist|gp|doctor|nurse|consultant|dentist|care worker';
const RELATIONS = `${FAMILY}|${FRIENDS}|${PETS}|${CARERS}|boss|manager`;
const JOBS =
  'nurse|teacher|doctor|developer|engineer|programmer|designer|accountant|lawyer|solicitor|carer|chef|cook|cleaner|driver|mechanic|electrician|plumber|builder|barista|waiter|waitress|cashier|receptionist|student|scientist|researcher|analyst|consultant|manager|paramedic|firefighter|police officer|soldier|pharmacist|midwife|vet|social worker|writer|artist|musician|photographer|journalist|librarian|hairdresser|farmer|shop assistant|sales assistant|software developer|web developer|data scientist|civil servant|lecturer|professor|tutor|therapist|pilot|dentist|architect|bartender|courier|postman|postwoman|technician|admin|administrator|secretary|caretaker|nanny|childminder|personal trainer';
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
    topic: 'place',
    slot: 'home_city',
    // "I moved from Leeds to Bristol": the value is where the user lives now.
    pattern:
      /\bi (?:live|am living|'m living|'m based|am based|(?:just |recently )?moved|'ve moved|have moved|relocated)(?: back)?(?: from (?:[a-z.'-]+ ?){1,3})? (?:in|to) ((?:[a-z.'-]+ ?){1,3})/,
  },
  {
    id: 'occupation',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.6,
    stability: 0.7,
    explicitness: 0.95,
    topic: 'work',
    slot: 'occupation',
    pattern: new RegExp(
      String.raw`\bi (?:work|am working|'m working) as (?:an? )?((?:[a-z-]+ ?){1,3})|\bi(?:'m| am) (?:now )?an? ((?:[a-z-]+ )?(?:${JOBS}))\b`,
    ),
  },
  {
    id: 'employer',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.5,
    stability: 0.7,
    explicitness: 0.95,
    topic: 'work',
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
    topic: 'study',
    slot: 'studies',
    pattern:
      /\bi(?:'m| am) (?:studying|majoring in|doing a degree in|reading) ((?:[a-z-]+ ?){1,3})|\bi (?:study|major in) ((?:[a-z-]+ ?){1,3})/,
  },
  {
    id: 'name',
    memoryType: 'personal_fact',
    category: 'other',
    relevance: 0.7,
    stability: 0.95,
    explicitness: 1,
    topic: 'identity',
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
    topic: 'identity',
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
    topic: 'health',
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
    topic: 'health',
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
    topic: 'health',
    pattern:
      /\bi (?:see|saw|started seeing|have) an? (?:therapist|counsell?or|psychiatrist|psychologist)\b|\bi(?:'m| am) in therapy\b/,
  },
  {
    id: 'carer',
    memoryType: 'health',
    category: 'health',
    relevance: 0.7,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'health',
    pattern: new RegExp(String.raw`\bmy (?:${CARERS})\b`),
  },
  {
    id: 'symptom',
    memoryType: 'health',
    category: 'health',
    relevance: 0.75,
    stability: 0.6,
    explicitness: 0.9,
    topic: 'health',
    pattern:
      /\bmy (?:[a-z]+ )?(?:back|knees?|neck|head|stomach|joints?|shoulders?|hips?|chest|legs?|feet|wrists?|teeth|skin|eyes?) (?:hurts?|aches?|is killing me|is bad|gives me)|\bi (?:get|have|suffer from|keep getting) (?:bad |frequent |constant |terrible |awful )?(?:headaches|migraines|back pain|nosebleeds|nightmares|panic attacks|chest pains?|stomach aches?|allerg)|\bi(?:'m| am) (?:allergic to|diabetic|asthmatic|epileptic|deaf|blind|pregnant|in recovery|sober|vegan|vegetarian)\b|\bi (?:can't|cannot) (?:sleep|eat) (?:properly|well|much)\b/,
  },
  {
    id: 'bereavement',
    memoryType: 'event',
    category: 'relational',
    relevance: 0.9,
    stability: 0.95,
    explicitness: 0.95,
    topic: 'family',
    pattern: new RegExp(String.raw`\bmy (?:${RELATIONS}) (?:passed away|died|passed)\b|\bi lost my (?:${RELATIONS})\b`),
  },
  {
    id: 'life_event',
    memoryType: 'event',
    category: 'growth',
    relevance: 0.8,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'life-event',
    pattern:
      /\bi (?:just |finally )?(?:got|was|have been|'ve been) (?:promoted|fired|laid off|married|engaged|divorced|dumped|accepted into|hired|discharged|evicted)\b|\b(?:we|i) (?:just )?broke up\b|\bi(?:'m| am) (?:pregnant|graduating|retiring)\b|\bi(?:'m| am)? ?(?:start|starting|started) (?:a |my )?new (?:job|school|semester|role)\b/,
  },
  {
    id: 'pet',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.65,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'pet',
    pattern: new RegExp(
      String.raw`\b(?:my|our) (?:[a-z-]+ )?(?:${PETS}|retriever|labrador|terrier|spaniel|poodle|collie)s?\b|\b(?:i|we) (?:have|had|'ve got|got|keep|adopted|own|rescued|look after) (?:an?|one|two|three|four|five|\d+|some)? ?(?:[a-z-]+ ){0,2}(?:${PETS}|retriever|labrador|terrier|spaniel|poodle|collie)s?\b|\b(?:walk|feed) (?:the|my|our) (?:${PETS})\b`,
    ),
  },
  {
    id: 'relationship_named',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.7,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'family',
    pattern: new RegExp(
      String.raw`\bmy (?:${FAMILY}|${FRIENDS})(?:'s name is| is called| is named|,| named| called) ([a-z][a-z'-]+)\b`,
    ),
  },
  {
    id: 'family_count',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.7,
    stability: 0.85,
    explicitness: 0.95,
    topic: 'family',
    pattern:
      /\b(?:i|we) (?:have|had|'ve got|got) (?:an?|one|two|three|four|five|six|no|\d+) (?:(?:older|younger|little|big|step|half|twin|grown-up|teenage) )?(?:kids?|children|sons?|daughters?|sisters?|brothers?|siblings?|grandchildren|grandkids)\b|\bi(?:'m| am) (?:a (?:single )?(?:mum|mom|dad|parent|father|mother|grandparent|carer for)|an only child|married|single|divorced|widowed)\b|\bi (?:was raised|grew up) (?:by|with) /,
  },
  {
    id: 'relationship',
    memoryType: 'relationship',
    category: 'relational',
    relevance: 0.65,
    stability: 0.6,
    explicitness: 0.85,
    topic: 'family',
    pattern: new RegExp(String.raw`\bmy (?:${FAMILY}|${FRIENDS})(?: [a-z'-]+)? (?!\?)[a-z']+`),
  },
  {
    id: 'work',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.6,
    stability: 0.6,
    explicitness: 0.9,
    topic: 'work',
    pattern:
      /\bmy (?:job|work|boss|manager|colleagues?|co-?workers?|shifts?|office|team|career|workplace|line manager|employer|clients?|customers?)\b|\bi (?:do|work|pull) (?:(?:long|night|day|late|early|double|twelve-hour|12-hour|weekend) )+shifts?\b|\bi work (?:from home|nights|weekends|part[- ]time|full[- ]time|remotely|in|on|with)\b|\bi(?:'m| am) (?:unemployed|self-employed|freelancing|a freelancer|retired|between jobs|on sick leave|job hunting|looking for work)\b|\bi run (?:a|my own) (?:[a-z]+ )?(?:business|shop|company|cafe|salon)\b/,
  },
  {
    id: 'place',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.55,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'place',
    pattern:
      /\bi (?:grew up|was born|was raised|come from|'m from|am from)\b|\bi(?:'m| am) (?:originally )?from\b|\bmy (?:flat|house|home|apartment|room|bedroom|place|hometown|home town|neighbou?rhood|village|town|city|street|garden|commute)\b|\bi (?:live|'m living|am living) (?:alone|on my own|with|by myself|near|next to|above|in a|in an|on a)\b/,
  },
  {
    id: 'coping',
    memoryType: 'coping_strategy',
    category: 'emotional',
    relevance: 0.8,
    stability: 0.7,
    explicitness: 0.9,
    topic: 'coping',
    pattern:
      /\b(?:helps|help|calms|calm) me (?:calm down|relax|feel better|cope|sleep|ground myself|unwind|focus)\b|\bwhen i(?:'m| am| feel| get) (?:stressed|anxious|sad|upset|overwhelmed|low|angry),? i (?!don't|can't)\w+/,
  },
  {
    id: 'fear',
    memoryType: 'trigger',
    category: 'emotional',
    relevance: 0.8,
    stability: 0.8,
    explicitness: 0.95,
    topic: 'fear',
    pattern:
      /\bi(?:'m| am|'ve always been| have always been|'ve been| have been| get| feel)(?: always)? (?:really |so |very |quite |absolutely |a bit |deeply )?(?:terrified|scared|afraid|frightened|phobic|fearful|petrified) (?:of|to)\b|\b(?:freak|freaks|scare|scares|terrify|terrifies|frighten|frightens|petrify|petrifies) me\b|\bmy (?:biggest |worst |greatest )?(?:fear|phobia|nightmare) is\b|\bi (?:have|'ve got) (?:a |an )?(?:fear|phobia) of\b|\bi(?:'m| am) (?:claustrophobic|agoraphobic)\b|\bi (?:fear|dread)\b/,
  },
  {
    id: 'trigger',
    memoryType: 'trigger',
    category: 'emotional',
    relevance: 0.8,
    stability: 0.7,
    explicitness: 0.85,
    topic: 'emotion',
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
    topic: 'emotion',
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
    topic: 'goal',
    pattern:
      /\b(?:i want to|i'd like to|i plan to|i'm planning to|i hope to|my goal is to|i'm trying to|i've decided to|i'm going to start|i wanna)\s+(?:start |stop |quit |learn |get |be |run |finish |save |lose |find |go |make |spend |sleep |exercise |meditate |read |write |apply |move |cut |drink |eat |work |practice |improve |try |cook |walk |join |take |build |become |visit |call |reconnect )/,
  },
  {
    id: 'habit',
    memoryType: 'personal_fact',
    category: 'routine',
    relevance: 0.6,
    stability: 0.6,
    explicitness: 0.9,
    topic: 'habit',
    pattern:
      /\bi (?!don't|can't|won't|didn't)(?:[a-z'-]+ ){1,6}(?:every (?:day|night|morning|evening|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|each (?:day|night|morning|evening)|daily|nightly|twice a (?:day|week)|once a (?:day|week)|a day|a week|per day|before (?:bed|breakfast|work))\b|\b(?:every|each) (?:day|night|morning|evening|week|weekend) i\b|\bi (?:usually|normally|always|often|never|rarely|tend to|generally) (?:go|get|wake|sleep|eat|skip|drink|stay|work|walk|read|call|watch|cook|have|take|spend|smoke|play)\b|\bi(?:'ve| have) been (?:smoking|drinking|vaping|running|meditating|journaling|swimming|gaming|cycling) (?:since|for)\b|\bi (?:smoke|vape|drink alcohol|don't drink|am sober|'m sober|bite my nails)\b/,
  },
  {
    id: 'hobby',
    memoryType: 'preference',
    category: 'routine',
    relevance: 0.55,
    stability: 0.7,
    explicitness: 0.9,
    topic: 'hobby',
    pattern:
      /\bi play (?:the )?[a-z]+|\bi (?:go|went) (?:running|swimming|hiking|cycling|climbing|bouldering|fishing|dancing|skating|jogging|walking|surfing|camping|bowling|to the gym|to yoga|to pilates|to church|to choir)\b|\bi (?:knit|crochet|paint|draw|sew|bake|sing|dance|swim|cycle|surf|skate|garden|hike|meditate|do yoga|do pottery|collect|write (?:poetry|poems|stories|songs|music)|read (?:a lot|novels|books)|build|make (?:pottery|jewellery|jewelry|furniture|music|art))\b|\bmy (?:hobby|hobbies|passion|favourite pastime|favorite pastime) (?:is|are)\b|\b(?:[a-z]+ing) is (?:how i spend|my (?:hobby|passion|thing|escape|happy place))|\bi (?:usually |often )?spend (?:my|most) (?:weekends|evenings|free time|spare time|mornings)\b|\bi(?:'m| am) (?:in|part of) a (?:band|choir|club|team|book club|running club)\b/,
  },
  {
    id: 'favorite',
    memoryType: 'preference',
    category: 'routine',
    relevance: 0.5,
    stability: 0.7,
    explicitness: 1,
    topic: 'preference',
    pattern: /\bmy favou?rite [a-z ]{2,20} (?:is|are) \w+/,
  },
  {
    id: 'likes',
    memoryType: 'preference',
    category: 'routine',
    relevance: 0.5,
    stability: 0.6,
    explicitness: 0.9,
    topic: 'preference',
    pattern:
      /\bi (?:really |absolutely )?(?:love|like|enjoy|adore|prefer|hate|can't stand|dislike|don't like) (?!you\b|it\b|that\b|this\b|them\b|him\b|her\b|when\b|how\b|the way you\b)(?:to |going |doing |playing |reading |watching |listening |eating |[a-z]+ing\b|[a-z]{3,})/,
  },
];
