// Sentence splitting for memory extraction. Pure.
//
// Intl.Segmenter (ICU's sentence rules: decimals such as 3.50, "p.m." before a lower-case word and
// quotes are handled) plus a guard ICU lacks: a segment that ends in a title or common abbreviation
// ("Dr.", "St.", "Mr.", "e.g.") or in a single-letter initial ("J.") is not the end of a sentence, so it is
// joined to the next one ("My GP is Dr. Okafor." stays one sentence with the name in it).
// Line breaks always end a sentence (chat messages use them as full stops).

const ABBREVIATIONS = new Set(
  [
    'dr',
    'mr',
    'mrs',
    'ms',
    'mx',
    'prof',
    'st',
    'sr',
    'jr',
    'rev',
    'fr',
    'sgt',
    'capt',
    'lt',
    'col',
    'gen',
    'mt',
    'ft',
    'rd',
    'ave',
    'no',
    'vs',
    'etc',
    'approx',
    'dept',
    'univ',
    'inc',
    'ltd',
    'co',
    'e.g',
    'i.e',
    'jan',
    'feb',
    'mar',
    'apr',
    'jun',
    'jul',
    'aug',
    'sep',
    'sept',
    'oct',
    'nov',
    'dec',
  ].map((a) => `${a}.`),
);

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** True when the segment's last word is an abbreviation or an initial, i.e. no sentence ends there. */
function endsInAbbreviation(segment: string): boolean {
  const last = /(?:^|[\s("'])([\p{L}.]+\.)\s*$/u.exec(segment)?.[1];
  if (!last) return false;
  return /^\p{Lu}\.$/u.test(last) || ABBREVIATIONS.has(last.toLowerCase());
}

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    let pending = '';
    for (const { segment } of segmenter.segment(line)) {
      pending += segment;
      if (!endsInAbbreviation(pending)) {
        out.push(pending);
        pending = '';
      }
    }
    if (pending) out.push(pending);
  }
  return out.map((s) => s.trim()).filter(Boolean);
}
