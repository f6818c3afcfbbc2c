// A small polarity lexicon for messages.sentiment_score and summaries: (positive − negative) /
// (positive + negative + 1), in (−1, 1); a negator flips the next three words ("not happy"). Coarse by
// design: it orders messages by tone, it does not diagnose anything.
const POSITIVE = new Set(
  'happy glad good great love loved lovely excited proud grateful thankful better calm hopeful enjoy enjoyed fun relieved relaxed peaceful okay fine wonderful amazing nice joy laugh laughed smile smiled safe confident motivated'.split(
    ' ',
  ),
);
const NEGATIVE = new Set(
  'sad bad awful terrible hate hated angry anxious anxiety depressed depression lonely alone tired exhausted stressed scared afraid worried hopeless cry crying cried hurt upset overwhelmed miserable worse worst die dead kill panic numb empty worthless guilty ashamed pain broken lost grief frustrated annoyed'.split(
    ' ',
  ),
);
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  "don't",
  'dont',
  "isn't",
  "wasn't",
  "can't",
  'cant',
  "didn't",
  'nothing',
]);

export function sentimentScore(text: string): number {
  let positive = 0;
  let negative = 0;
  let flip = 0;
  for (const word of text
    .toLowerCase()
    .replace(/[‘’]/g, "'")
    .match(/[a-z']+/g) ?? []) {
    if (NEGATORS.has(word)) {
      flip = 3;
      continue;
    }
    const polarity = POSITIVE.has(word) ? 1 : NEGATIVE.has(word) ? -1 : 0;
    if (polarity !== 0) {
      if (polarity > 0 !== flip > 0) positive += 1;
      else negative += 1;
    }
    flip = Math.max(0, flip - 1);
  }
  return Math.round(((positive - negative) / (positive + negative + 1)) * 1000) / 1000;
}
