// The crisis lexicon: every cue the detector knows, in one reviewable table. A clinician reviewing it
// reads: the cue id (stored in messages.crisis_indicators), its category, its level, and the pattern.
// Patterns run on normalized text (lower case, straight apostrophes, "dont" → "don't"; see crisis.ts).
//
// Levels: critical = intent with a plan, means, a time or an act in progress; high = ideation, self-harm,
// intent to harm someone; medium = acute distress that needs a check-in; low = strain worth noting.
// `negationIsPartOfCue`: the cue is itself a negative phrase ("don't want to live"), so a negator in
// front of it must not cancel it. Everything else is cancelled by a negator just before it
// ("I would never hurt myself", "I'm not going to kill myself").
import type { CrisisLevel } from './enums.ts';
import type { CrisisCategory } from './crisis.ts';

export interface LexiconEntry {
  cue: string;
  category: CrisisCategory;
  level: CrisisLevel;
  pattern: RegExp;
  negationIsPartOfCue?: boolean;
}

const INTENT = "(?:going to|gonna|will|i'll|planning to|plan to|decided to|about to|ready to)";
const SUICIDE_ACT =
  '(?:kill myself|end (?:my life|it all|it(?! with| off))|take my (?:own )?life|hang myself|jump off|overdose)';
const OTHERS =
  '(?:him|her|them|someone|somebody|people|everyone|my (?:boss|dad|father|mom|mother|brother|sister|husband|wife|partner|ex|neighbou?r|roommate|teacher|coworker|kids?))';

export const CRISIS_LEXICON: readonly LexiconEntry[] = [
  // suicidal ideation
  {
    cue: 'suicide_intent',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern: new RegExp(String.raw`\b${INTENT}\s+(?:just\s+)?${SUICIDE_ACT}\b`),
  },
  {
    cue: 'suicide_means',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:i have|i've got|i got|bought|saved up|stockpiled|collected|counted out)\s+(?:the |enough |a |all the |my )?(?:pills|rope|gun|razor blades?|blades?|tablets)\b[^.!?]{0,40}\b(?:end|die|kill|it all|tonight|enough)\b/,
  },
  {
    cue: 'suicide_means_saved',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:pills|tablets|painkillers)\b[^.!?]{0,30}\b(?:saved up|stockpiled|hidden away|take them all|take all of them)\b/,
  },
  {
    cue: 'overdose_taken',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:took|swallowed|i've taken|just taken)\s+(?:a bunch of|all (?:of )?(?:my|the)|too many|a handful of|handfuls of|\d+)\s*(?:of (?:my|the) )?(?:pills|tablets|sleeping pills|painkillers)\b/,
  },
  {
    cue: 'final_goodbye',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:this is my (?:last|final) (?:message(?! (?:before|tonight|today|for (?:today|tonight|now)|until|of the))|goodbye)|(?:wrote|writing|written) (?:my|a) (?:suicide|goodbye) (?:note|letter)|saying goodbye (?:to everyone )?forever|won't be here (?:tomorrow|much longer)(?!,?\s+(?:i'm|i am|i'll be|i will be|because|cause|as i|since|we're|i've got|i have)\b))\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'kill_myself',
    category: 'suicidal_ideation',
    level: 'high',
    pattern: /\b(?:kill|killing|killed)\s+myself\b(?!\s+(?:laughing|at work|at the gym|studying|working))/,
  },
  {
    cue: 'end_my_life',
    category: 'suicidal_ideation',
    level: 'high',
    pattern: /\b(?:end|ending|take|taking)\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b/,
  },
  {
    cue: 'want_to_die',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:want|wanna|wanted|wish|wishing|ready|praying)\s+(?:to\s+|i\s+could\s+)?(?:just\s+)?die\b|\bwish\s+i\s+(?:was|were)\s+dead\b/,
  },
  {
    cue: 'better_off_dead',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\bbetter\s+off\s+(?:dead|without\s+me)\b|\b(?:everyone|they|the world|my family)(?:\s+would\s+be|'d\s+be|\s+is)\s+better\s+(?:off\s+)?without\s+me\b/,
  },
  {
    cue: 'dont_want_to_live',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:don't|do not|no longer)\s+want\s+to\s+(?:live(?! (?:in|at|near|with) (?:this|that|a|the|my) (?:\w+ )?(?:flat|house|city|town|apartment|area|place|dorm|street|country)\b)|be alive(?!\s+(?:at|on|for|during|when)\b)|exist|be here anymore(?!,?\s+(?:this|in this|at this|at my|in my)\s+(?:city|job|town|place|house|flat|school|country|office|class)\b)|wake up(?!\s+(?:early|at|before|until|till|for|tomorrow,?\s+(?:it's|i've|i have)))\b)\b|\b(?:hope|wish)\s+i\s+(?:don't|never)\s+wake\s+up\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'no_reason_to_live',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:no|nothing left to|lost my)\s+(?:reason|point|will)\s+(?:to|in|for)\s+(?:live|living|going on|being alive)\b|\bwhat's the point (?:of|in) (?:living|being alive|going on)\b|\b(?:don't|can't) see (?:the|any) point (?:in|of) (?:anything|living|life|going on)\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'suicidal',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:i'm|i am|feel|feeling|felt|been|getting)\s+(?:so\s+|really\s+|very\s+|pretty\s+|kind of\s+|a bit\s+|a little\s+)?suicidal\b|\b(?:having|had|have|get|getting)\s+(?:\w+\s+)?(?:suicidal\s+(?:thoughts|feelings|urges)|thoughts\s+(?:of|about)\s+(?:suicide|killing myself|ending it|dying))\b/,
  },
  {
    cue: 'wish_not_exist',
    category: 'suicidal_ideation',
    level: 'high',
    pattern: /\bwish\s+i\s+(?:didn't exist|wasn't alive|wasn't born|had never been born|could stop existing)\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'disappear',
    category: 'acute_distress',
    level: 'medium',
    pattern:
      /\b(?:wish\s+i\s+could|want\s+to|wanna)\s+(?:just\s+)?(?:disappear|vanish|fall asleep forever)\b(?! for (?:a|the|an|one|two|\d+) )/,
  },
  {
    cue: 'method_thoughts',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:think|thinking|thought|fantasi[sz]e|fantasi[sz]ing)\s+about\s+(?:driving|jumping|stepping|walking|crashing)\b[^.!?]{0,40}\b(?:off|in front of|into)\s+(?:the|a|my)\s+(?:bridge|roof|building|train|traffic|car|cliff)\b/,
  },
  {
    cue: 'fear_of_self',
    category: 'self_harm',
    level: 'high',
    pattern: /\b(?:scared|afraid|terrified)\s+(?:of\s+)?what\s+i\s+(?:might|could|will|would)\s+do\s+to\s+myself\b/,
  },
  {
    cue: 'timed_finality',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:tonight|today|this weekend)(?:'s| is)\s+the\s+(?:night|day)\b(?!\s*(?:,|for\b|i\s+(?:finally\s+)?(?:tell|ask|propose|meet|see|go|get|try|start|find|finish|pass|move|do the|sign|buy|book)\b|we\b|of\b|when\s+(?:we|the|my)\b))|\bi(?:'m| am)\s+done\b[^.!?]{0,20}\b(?:with (?:life|everything|living))\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'suicide_slang',
    category: 'suicidal_ideation',
    level: 'high',
    // Forum and social-media words for suicide; "kms" alone is too often a joke ("this homework makes me
    // wanna kms"), so it counts only with intent, a time or a denial of joking.
    pattern:
      /\b(?:ctb|c\.t\.b|catch(?:ing)? the bus (?:tonight|soon|early)|unalive (?:myself|me)|sewer ?slide|s[e3]wers?lide|kms\b[^.!?]{0,25}\b(?:not (?:joking|kidding)|tonight|for real|fr)\b|(?:gonna|going to|imma|i'ma|about to|planning to|will|i'll)\s+(?:just\s+)?kms)\b/,
  },
  {
    cue: 'method_wish',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:hang|hanging|shoot|shooting|drown|drowning|gas|gassing)\s+myself\b(?!\s+(?:in|with)\s+(?:work|coffee|tea|paperwork|books|study|chores|emails))|\b(?:want|wanna|wanted|thinking about|tempted|urge|going|gonna|could just)\s+(?:to\s+)?jump(?:ing)?\s+(?:off|from|in front of)\s+(?:a|the|my|this|that)\s+(?:\w+\s+)?(?:bridge|roof|building|balcony|cliff|train|bus|lorry|truck|tower|car park|window|overpass)\b|\b(?:want|wanna|need|going|gonna|ready)\s+to\s+(?:stop|quit)\s+(?:existing|living|being alive)\b/,
  },
  {
    cue: 'end_it_soon',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:want|wanna|going|gonna|ready|planning)\s+to\s+(?:end|finish)\s+(?:it|everything)(?!\s+with\b)\s+(?:tonight|today|now|soon|for good|this weekend|once and for all)\b/,
  },
  {
    cue: 'sleep_forever',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:want|wanna|wish|wishing|hope|hoping|pray|praying)\s+(?:i\s+could\s+|to\s+)?(?:just\s+)?(?:go to sleep|sleep|fall asleep)\s+(?:forever|and (?:never|not) wake (?:up|again)(?!\s+(?:until|till|before|for|early)))\b/,
  },
  {
    cue: 'world_without_me',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:everyone|everybody|they|my (?:family|kids|parents|wife|husband|partner|friends))\s+(?:would|will|'d|'ll)\s+be\s+(?:happier|fine|better|okay|ok)\s+(?:off\s+)?(?:without me|if i (?:was|were) gone|once i'm gone|when i'm gone|if i (?:wasn't|weren't) (?:here|around|alive))\b(?!\s+(?:for|at|on|while|this|next|today|tomorrow|during)\b)/,
  },
  {
    cue: 'poison_taken',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:drank|drunk|drinking|swallowed|swallowing|downed|ate)\s+(?:the\s+|some\s+|a\s+(?:cup|glass|bottle) of\s+)?(?:bleach|antifreeze|rat poison|weed ?killer|poison)\b/,
  },
  {
    cue: 'overdose_now',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:i\s+(?:just\s+)?|i've\s+(?:just\s+)?|just\s+)(?:od'?d|od'ed|overdosed)\b(?!\s+on\s+(?!(?:my|the|all|some|his|her)\s+(?:\w+\s+)?(?:pills|meds|tablets|medication|painkillers|insulin|antidepressants)))|\b(?:took|taken|swallowed|ate|downed|necked)\s+(?:like\s+|about\s+|over\s+)?(?:\d{2,}|all|everything|the whole|a whole|my whole|my entire|the entire|every(?:thing| pill| tablet))\b[^.!?]{0,25}\b(?:pills|tablets|meds|medication|medicine cabinet|painkillers|insulin|paracetamol|sleeping pills|antidepressants|bottle|packet|blister|supply)\b(?![^.!?]{0,20}\b(?:to|for|back to|into)\s+(?:my|the|her|his)\s+\w+)/,
  },
  {
    cue: 'at_the_edge',
    category: 'suicidal_ideation',
    level: 'critical',
    pattern:
      /\b(?:i'm|im|i am)\s+(?:standing\s+|sitting\s+|stood\s+|sat\s+)?on\s+(?:the|a)\s+ledge\b|\b(?:feet|legs)\s+(?:dangling\s+)?over\s+the\s+edge\b|\bclimb(?:ing|ed)?\s+over\s+the\s+(?:rail|railing|railings|barrier|parapet)\b|\b(?:engine|car)\s+(?:is\s+)?running\s+(?:in|inside)\s+(?:the|a|my)\s+(?:closed|shut|locked)\s+garage\b|\b(?:closed|shut|locked)\s+garage\b[^.!?]{0,30}\bengine\s+(?:is\s+)?(?:running|on)\b|\bhose\s+(?:from|to|on)\s+the\s+exhaust\b/,
  },
  {
    cue: 'blade_ready',
    category: 'self_harm',
    level: 'critical',
    pattern:
      /\b(?:razor|blade|knife|glass)\s+(?:is\s+)?(?:over|to|against|on|at)\s+my\s+(?:wrists?|throat|neck)\b|\b(?:holding|have|got)\s+(?:a|the|my)\s+(?:razor|blade|knife)\s+(?:over|to|against)\s+my\b/,
  },
  {
    cue: 'passive_death_wish',
    category: 'suicidal_ideation',
    level: 'high',
    pattern:
      /\b(?:disappointed|angry|upset|sad)\s+(?:that\s+)?i\s+(?:woke|wake|keep waking)\s+up\b|\bhoping\s+i\s+(?:don't|do not|won't)\s+(?:make it|wake up|survive)\b|\b(?:lost|losing)\s+(?:all\s+)?(?:my\s+|the\s+)?will\s+to\s+live\b|\b(?:so\s+|really\s+)?tired\s+of\s+(?:being\s+alive|living(?!\s+(?:in|with|at|on|like|out|off|near|here|there|under))|existing(?!\s+(?:in|with|at|on|like|through)))\b|\b(?:googl|research|look)(?:ed|ing)\s+(?:up\s+)?(?:painless\s+)?ways\s+to\s+(?:die|kill myself|end it)\b|\b(?:don't|can't|do not)\s+see\s+(?:the|any)\s+point\s+(?:in|of)\s+(?:staying|being)\s+alive\b|\blog\s+off\s+(?:permanently|forever|for good)\b|\bdespawn\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'cant_stay_safe',
    category: 'acute_distress',
    level: 'high',
    pattern:
      /\b(?:can't|cannot|can not)\s+(?:promise|guarantee)\s+(?:i'll|i will|to)\s+(?:be|stay|keep)\s+safe\b|\b(?:don't|do not|can't)\s+trust\s+myself\s+(?:alone|right now|tonight|rn|around)\b/,
    negationIsPartOfCue: true,
  },
  // self-harm (an accident while shaving or at the gym is not self-harm: see the lookahead)
  {
    cue: 'self_harm_urge',
    category: 'self_harm',
    level: 'high',
    pattern:
      /\b(?:want|wanna|urge|urges|going|gonna|thinking about|tempted|need)\s+(?:to\s+)?(?:hurt|harm|cut|burn|punish|starve)(?:ing)?\s+myself\b/,
  },
  {
    cue: 'self_harm_act',
    category: 'self_harm',
    level: 'high',
    pattern:
      /\b(?:cut|cutting|burned|burning|hurt|hurting|harmed|harming|scratch(?:ed|ing)|punch(?:ed|ing))\s+myself\b(?!\s+(?:a |some |off |on the |on a |while |when i (?:fell|slipped|tripped)|at |playing|shaving|by accident|lifting|cooking|in the kitchen|slicing))/,
  },
  {
    cue: 'self_harm_named',
    category: 'self_harm',
    level: 'high',
    pattern:
      /\b(?:i've been|i have been|i'm|i am|started|relapsed|relapse|urge to|want to|went back to)\s+(?:\w+\s+)?(?:self[- ]?harm(?:ing)?|cutting again)\b/,
  },
  {
    cue: 'self_harm_slang',
    category: 'self_harm',
    level: 'high',
    pattern:
      /\b(?:need|want|urge|wanna|going)\s+to\s+sh\b|\bsh\s+relapse\b|(?:^|[.!?]\s*|\bi\s+(?:just\s+)?|\bi've\s+(?:just\s+)?)relapsed\b[^.!?]{0,40}\b(?:cutting|cut|self[- ]?harm|sh|burn(?:ing|ed)?)\b|\b(?:carv(?:e|ed|ing)|scratch(?:ed|ing)?|burn(?:ed|t|ing)?|bit|biting)\s+(?:into\s+)?my\s+(?:arms?|legs?|thighs?|wrists?|skin|stomach)\b[^.!?]{0,30}\b(?:bleed|bled|blood|blister|again|on purpose|until|till|with a (?:lighter|compass|blade|razor|cigarette))\b|\bstarv(?:e|ing)\s+myself\b(?!\s+(?:before|for|until|till)\s+(?:the|a|my|dinner|lunch|tea))/,
  },
  // harm to others
  {
    cue: 'harm_others_means',
    category: 'harm_to_others',
    level: 'critical',
    pattern: new RegExp(
      String.raw`\b(?:bought|have|got)\s+a\s+(?:gun|knife)\b[^.!?]{0,30}\b(?:for|to use on|to)\s+${OTHERS}`,
    ),
  },
  {
    cue: 'harm_others_intent',
    category: 'harm_to_others',
    level: 'high',
    pattern: new RegExp(
      String.raw`\b(?:want|wanna|going|gonna|planning|plan|thinking about|urge)\s+(?:to\s+)?(?:kill|hurt|stab|shoot|strangle|beat up|attack|poison)(?:ing)?\s+${OTHERS}\b(?! for \w+ing\b)`,
    ),
  },
  {
    cue: 'harm_others_waiting',
    category: 'harm_to_others',
    level: 'critical',
    pattern:
      /\b(?:waiting|waitin|sitting|parked)\s+(?:outside|near|by|in)\s+(?:his|her|their|the)\s+(?:\w+\s+)?(?:house|work|office|flat|school|gym|car|lot|place)\b[^.!?]{0,20}\b(?:with|w)\s+(?:a|an|my|the)\s+(?:knife|bat|gun|hammer|tire iron|tyre iron|crowbar|machete|axe|blade)\b|\b(?:put|putting|poured|pouring|mixed)\s+(?:rat\s+)?poison\s+in\b/,
  },
  // acute distress and danger from others
  {
    cue: 'not_safe',
    category: 'acute_distress',
    level: 'high',
    pattern:
      /\b(?:i'm|i am)\s+not\s+safe\b|\bdon't\s+feel\s+safe\s+(?:with|around|by)\s+myself\b|\b(?:he|she|they|my \w+)\s+(?:is hitting|keeps hitting|hits|beat|is beating|threatened to kill)\s+me\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'cant_go_on',
    category: 'acute_distress',
    level: 'medium',
    pattern:
      /\bcan't\s+(?:go on|keep going|do this anymore|take (?:it|this|any more|much more)(?: anymore)?|handle (?:it|this|anything) anymore|cope anymore|live like this)\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'hopeless',
    category: 'acute_distress',
    level: 'medium',
    pattern:
      /\b(?:i'm|i am|feel|feeling|felt|so)\s+(?:so\s+|completely\s+|totally\s+|utterly\s+)?(?:hopeless|worthless|trapped)\b|\bno\s+way\s+out\b|\bgiv(?:e|en|ing)\s+up\s+on\s+(?:everything|life|myself)\b/,
  },
  {
    cue: 'panic_now',
    category: 'acute_distress',
    level: 'medium',
    pattern: /\b(?:having|in the middle of)\s+a\s+panic\s+attack\b|\bcan't\s+stop\s+(?:crying|shaking)\b/,
    negationIsPartOfCue: true,
  },
  {
    cue: 'overwhelmed',
    category: 'acute_distress',
    level: 'low',
    pattern: /\b(?:so|completely|totally|really)\s+overwhelmed\b|\bfalling\s+apart\b/,
  },
];

/**
 * Context that makes a sentence model's "intervene" vote unreliable on its own: the writer denies the
 * crisis in the first person ("I'm not suicidal, just burnt out", "I don't want to die, I want this job to
 * end") or tells of a crisis they have come through ("three years clean from cutting", "after my attempt in
 * 2018… I'm doing well now"). Such text is full of the words of a crisis, which is what the model reads.
 * With one of these, the model can still flag the message (medium: a check-in), but only the lexicon's own
 * cues (which have their negation and history rules) reach the safety network. Not applied to summaries.
 */
export interface ContextEntry {
  id: 'denial' | 'recovered';
  pattern: RegExp;
}

const CRISIS_WORDS =
  '(?:die|dying|be dead|suicid\\w*|kill(?:ing)? myself|end(?:ing)? (?:my life|it all|things|anything)|hurt(?:ing)? myself|harm(?:ing)? myself|self[- ]?harm\\w*|cut(?:ting)? (?:myself|again)|take my (?:own )?life|overdos\\w*|hurt(?:ing)? (?:him|her|them|anyone|anybody|someone|my \\w+)|harm(?:ing)? (?:anyone|anybody|someone)|lay a finger on|do anything to myself)';

export const CRISIS_CONTEXT: readonly ContextEntry[] = [
  {
    id: 'denial',
    pattern: new RegExp(
      [
        String.raw`\b(?:i'm|i am)\s+(?:really\s+|honestly\s+|definitely\s+)?not\s+(?:suicidal|in (?:any )?danger|at risk|going to do anything|unsafe)\b`,
        String.raw`\bnot\s+(?:feeling\s+)?suicidal\b`,
        String.raw`\b(?:i\s+)?(?:don't|do not|never|wouldn't|would never|won't|will never|didn't|haven't|not)\s+(?:ever\s+)?(?:really\s+|actually\s+)?(?:want(?:ed|ing)? to|wanna|plan(?:ning)? to|going to|gonna|think(?:ing)? (?:of|about)|thought (?:of|about)|feel like|had (?:any )?(?:thoughts|urges?) (?:of|about|to))\s+${CRISIS_WORDS}`,
        String.raw`\bno\s+(?:thoughts?|plans?|urges?|intention|desire|wish)\s+(?:of|to|about)\s+${CRISIS_WORDS}`,
        String.raw`\b(?:zero|no)\s+urges?\s+to\b`,
        String.raw`\b(?:suicide|killing myself|self[- ]harm|hurting myself|ending it)\s+(?:has|have)?\s*never\s+crossed my mind\b`,
      ].join('|'),
    ),
  },
  {
    id: 'recovered',
    // A past crisis and a present that is better, both in the message.
    pattern:
      /^(?=.*\b(?:used to|years? ago|months ago|back (?:when|then|in)|when i was|in (?:19|20)\d\d|last (?:year|winter|summer|spring|autumn)|(?:since|after) my (?:attempt|overdose|breakdown|hospital)|at (?:sixteen|seventeen|eighteen|nineteen|twenty|\d\d)\b|in my (?:teens|twenties|thirties)|as a (?:teen(?:ager)?|kid|student)|there was a time|i survived)\b)(?=.*\b(?:now|today|these days|nowadays|anymore|since then|clean|free|recovered|recovery|better|doing (?:well|good|great|okay)|glad|grateful|proud|happy|stable|thriving)\b)(?!.*\b(?:again|relapsed?|tonight|right now|rn|this time|any ?more\s+(?:and|so)|but now i)\b)/,
  },
];
