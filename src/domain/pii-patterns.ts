// The two PII kinds no library here detects: street addresses and dates of birth. Both are written as
// narrow, documented patterns so ordinary sentences ("I ran 5 miles down the road", "in 2019") stay clean.
import type { PiiSpan } from './pii.ts';

const STREET_SUFFIX =
  'street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|close|trail|trl';
// Words that show the number is a quantity, not a house number ("5 miles down the road").
const NOT_A_STREET_WORD =
  /^(the|a|an|my|our|your|his|her|their|to|down|up|along|on|of|at|in|from|and|or|miles?|km|kilometers?|blocks?|minutes?|mins?|hours?|days?|weeks?|years?|times?|steps?|houses?|doors?|cars?|people|kids?|dollars?)$/i;

// house number, optional direction, one to four name words, a street suffix, optional unit, city, state, ZIP
const US_STYLE = new RegExp(
  String.raw`\b\d{1,6}[a-z]?\s+((?:[nsew]\.?|north|south|east|west)\s+)?((?:[a-z0-9'-]+\.?\s+){1,4})(?:${STREET_SUFFIX})\b\.?` +
    String.raw`(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\w+)?` +
    String.raw`(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})?(?:,?\s*[A-Z]{2}\b)?(?:\s*\d{5}(?:-\d{4})?)?`,
  'gi',
);
const PO_BOX = /\bp\.?\s?o\.?\s+box\s+\d{1,6}\b/gi;
// Hauptstraße 12, Lindenweg 3a
const GERMAN_STYLE = /\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|gasse|platz|allee|ring|damm)\s+\d{1,4}[a-z]?\b/g;
// UK postcode (SW1A 1AA, M1 1AE): only in upper case, as written on an envelope.
const UK_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b/g;

export function findAddresses(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(US_STYLE)) {
    const words = m[2]!.trim().split(/\s+/);
    if (words.some((w) => NOT_A_STREET_WORD.test(w.replace(/\.$/, '')))) continue;
    spans.push({ kind: 'address', start: m.index, end: m.index + m[0].trimEnd().length });
  }
  for (const re of [PO_BOX, GERMAN_STYLE, UK_POSTCODE]) {
    for (const m of text.matchAll(re)) spans.push({ kind: 'address', start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

const MONTH =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const ORDINAL_WORDS =
  '(?:twenty-|thirty-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|twelfth|(?:thir|four|fif|six|seven|eigh|nine)teenth|twentieth|thirtieth';
const DAY = String.raw`(?:\d{1,2}(?:st|nd|rd|th)?|${ORDINAL_WORDS})`;
// A full or month-day date: 03/14/1988, 14.03.1988, 1988-03-14, March 14(th)(, 1988), 14(th) (of) March (1988)
const DATE = String.raw`(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|(?:${MONTH})\.?\s+${DAY}(?:,?\s+\d{4})?|${DAY}\s+(?:of\s+)?(?:${MONTH})\.?(?:,?\s+\d{4})?)`;
const BIRTH_CUE = String.raw`\b(?:born(?:\s+on)?|(?:birth|b-?)day(?:\s+is)?|date\s+of\s+birth|d\.?o\.?b\.?|birth\s?date|geb\.|né(?:e)? le)`;

// Only a date next to a birth cue is a date of birth: an appointment on 03/14/2025 is not PII.
const DATE_AFTER_CUE = new RegExp(String.raw`${BIRTH_CUE}\s*(?:is|was|:|-|,)?\s*(?:on\s+)?(?:the\s+)?(${DATE})`, 'gi');
const DATE_BEFORE_CUE = new RegExp(
  String.raw`(${DATE})\s+(?:is|was)\s+(?:my|his|her)\s+(?:birthday|date\s+of\s+birth|dob)\b`,
  'gi',
);

export function findBirthDates(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(DATE_AFTER_CUE)) {
    const start = m.index + m[0].length - m[1]!.length;
    spans.push({ kind: 'date_of_birth', start, end: start + m[1]!.length });
  }
  for (const m of text.matchAll(DATE_BEFORE_CUE))
    spans.push({ kind: 'date_of_birth', start: m.index, end: m.index + m[1]!.length });
  return spans;
}
