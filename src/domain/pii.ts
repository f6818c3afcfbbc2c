// PII detection and redaction for chat text. Pure. Each detector finds candidate spans with a narrow
// pattern and then asks a well-kept validator (libphonenumber-js for phones, validator for emails, IPs
// and Luhn-checked cards); the narrow patterns and the context guards below are what keep ordinary and
// distressed text unchanged (version numbers, order numbers, prices, years, "call 988").
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import validator from 'validator';
import type { PiiKind } from './enums.ts';
import { findAddresses, findBirthDates } from './pii-patterns.ts';

/** The kinds this detector reports (a subset of PII_KINDS) and the placeholder each is redacted to. */
export const PII_PLACEHOLDERS = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  financial: '[CARD]',
  government_id: '[SSN]',
  ip_address: '[IP]',
  address: '[ADDRESS]',
  date_of_birth: '[DOB]',
} as const satisfies Partial<Record<PiiKind, string>>;
export type DetectedPiiKind = keyof typeof PII_PLACEHOLDERS;

export interface PiiSpan {
  kind: DetectedPiiKind;
  start: number;
  /** Exclusive. */
  end: number;
}

/** Per kind: `redact` (placeholder) or `keep` (leave the text as written). Unlisted kinds follow the default. */
export type PiiHandling = 'redact' | 'keep';
export type PiiPreferences = Partial<Record<DetectedPiiKind, PiiHandling>>;

export interface PiiResult {
  spans: PiiSpan[];
  /** Distinct kinds found, in PII_PLACEHOLDERS order (what `pii_detected` stores). */
  kinds: DetectedPiiKind[];
}

// A number right after one of these words is a reference, not a phone number or card.
const REFERENCE_CONTEXT =
  /(\b(order|ticket|ref(erence)?|invoice|tracking|case|confirmation|account|acct|id|item|sku|model|serial|version|v|build|flight|room|booking|receipt)(\s+(number|no\.?|#))?|#)\s*[:#]?\s*$/i;
const precededByReference = (text: string, start: number) =>
  REFERENCE_CONTEXT.test(text.slice(Math.max(0, start - 24), start));

function findEmails(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(/[\w.+%-]+@[\w-]+(?:\.[\w-]+)+/g)) {
    const raw = m[0].replace(/\.+$/, '');
    if (validator.isEmail(raw)) spans.push({ kind: 'email', start: m.index, end: m.index + raw.length });
  }
  // Spelled out to dodge filters: "tom at gmail dot com", "tom [at] gmail [dot] com".
  for (const m of text.matchAll(
    /\b[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*(?:com|org|net|edu|gov|io|co|de|uk|me|fr)\b/gi,
  )) {
    spans.push({ kind: 'email', start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

// Numbers written in international form are found with any default; national forms are tried for the
// US first, then for a few other countries only when they start with the trunk prefix 0 (07700 900123).
const NATIONAL_COUNTRIES: CountryCode[] = ['GB', 'DE', 'FR', 'AU', 'IN', 'IE', 'NL'];

// A phone-shaped number (7–15 digits in groups) right after a phone cue, whatever the metadata says of it:
// made-up area codes and the fictional ranges (UK 07700 900xxx, US 555-01xx) are still someone's number.
const PHONE_CUED =
  /(?:\b(?:phone|number|cell|mobile|call me|text me|call|ring|whatsapp|reach me|llámame(?: al)?)\b|#)(?:\s+(?:is|on|at|now))?\s*:?\s*(\+?\(?\d{2,4}\)?(?:[-. ]?\(?\d{2,4}\)?){1,4})(?![\d-])/gi;
// International form (+44 7700 900123, +33 6 12 34 56 78, +447700900915): the plus makes it a phone number.
const PHONE_INTERNATIONAL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\d])/g;
// Crisis and support lines people name in chat are not anyone's personal number.
const HELPLINES = new Set(['988', '741741', '116123', '116111', '08001111', '131114', '08457909090', '0800585858']);
const digitCount = (s: string) => s.replace(/\D/g, '').length;

function findPhones(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  const accept = (start: number, end: number) => {
    const digits = text.slice(start, end).replace(/\D/g, '');
    if (!precededByReference(text, start) && !HELPLINES.has(digits)) spans.push({ kind: 'phone', start, end });
  };
  for (const m of findPhoneNumbersInText(text, { defaultCountry: 'US' })) accept(m.startsAt, m.endsAt);
  for (const country of NATIONAL_COUNTRIES) {
    for (const m of findPhoneNumbersInText(text, { defaultCountry: country })) {
      if (text[m.startsAt] === '0' || text[m.startsAt] === '(') accept(m.startsAt, m.endsAt);
    }
  }
  // A phone-shaped number the metadata calls invalid (made-up area codes) still counts right after a phone cue.
  for (const m of text.matchAll(PHONE_CUED)) {
    const start = m.index + m[0].length - m[1]!.length;
    const digits = digitCount(m[1]!);
    if (digits >= 7 && digits <= 15) accept(start, start + m[1]!.length);
  }
  for (const m of text.matchAll(PHONE_INTERNATIONAL)) {
    const digits = digitCount(m[0]);
    if (digits >= 8 && digits <= 15) accept(m.index, m.index + m[0].length);
  }
  return spans;
}

function findCards(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(/(?<![\d.,$€£])\d(?:[ -]?\d){12,18}(?![\d.,]\d)/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (validator.isCreditCard(digits) && !precededByReference(text, m.index)) {
      spans.push({ kind: 'financial', start: m.index, end: m.index + m[0].length });
    }
  }
  return spans;
}

// US SSN: AAA-GG-SSSS with the ranges the SSA never issues excluded. Undashed nine digits only after a cue.
// In a message that says it is an SSN ("my social", "SSN"), any SSN-shaped number is one, valid or not.
const SSN_DASHED = /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g;
const SSN_SHAPED = /(?<![\d-])\d{3}([- ]?)\d{2}\1\d{4}(?![\d-])/g;
const SSN_CUE = /\b(?:ssn|social security|my social|social is)\b/i;
const SSN_CUED =
  /\b(ssn|social security( number| no\.?)?|social)\s*(is|:|#)?\s*((?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4})\b/gi;

function findSsns(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  const span = (start: number, end: number) => spans.push({ kind: 'government_id', start, end });
  for (const m of text.matchAll(SSN_CUE.test(text) ? SSN_SHAPED : SSN_DASHED)) span(m.index, m.index + m[0].length);
  for (const m of text.matchAll(SSN_CUED)) {
    const start = m.index + m[0].length - m[4]!.length;
    span(start, start + m[4]!.length);
  }
  return spans;
}

// Other national identifiers, in the forms they are printed: UK National Insurance (QQ 12 34 56 C), Indian
// PAN (ABCPE1234F), and, after their name, Aadhaar (2345 6789 0124) and passport numbers.
const OTHER_IDS = [/\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g, /\b[A-Z]{3}[PCHABGJLFT][A-Z]\d{4}[A-Z]\b/g];
const IDS_CUED = /\b(?:aadhaar|passport)(?:\s+(?:number|no\.?|#))?\s*(?:is|:)?\s*([A-Z0-9](?:[ ]?[A-Z0-9]){5,11})\b/gi;

function findOtherIds(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const re of OTHER_IDS) {
    for (const m of text.matchAll(re))
      spans.push({ kind: 'government_id', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(IDS_CUED)) {
    if (!/\d/.test(m[1]!)) continue;
    const start = m.index + m[0].length - m[1]!.length;
    spans.push({ kind: 'government_id', start, end: start + m[1]!.length });
  }
  return spans;
}

// Bank details: IBANs (checked by validator.isIBAN), and numbers right after "sort code", "account", "routing".
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const BANK_CUED = /\b(?:sort code|account(?: number| no\.?| #)?|routing number)\s*(?:is|:)?\s*(\d[\d -]{4,18}\d)\b/gi;

function findBankDetails(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(IBAN)) {
    if (validator.isIBAN(m[0].replace(/ /g, '')))
      spans.push({ kind: 'financial', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(BANK_CUED)) {
    const start = m.index + m[0].length - m[1]!.length;
    spans.push({ kind: 'financial', start, end: start + m[1]!.length });
  }
  return spans;
}

const VERSION_CONTEXT = /\b(v|version|ver|release|build|update|patch|firmware|ios|android|node|python)\s*\.?\s*$/i;

function findIps(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(/(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\d)/g)) {
    if (validator.isIP(m[0], 4) && !VERSION_CONTEXT.test(text.slice(Math.max(0, m.index - 12), m.index))) {
      spans.push({ kind: 'ip_address', start: m.index, end: m.index + m[0].length });
    }
  }
  // IPv6 candidates: hex groups with at least two colons (times like 10:30:45 fail validator.isIP).
  for (const m of text.matchAll(
    /(?<![\w:])(?=[0-9a-f:]*[a-f0-9]{1,4}:)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi,
  )) {
    if (validator.isIP(m[0], 6)) spans.push({ kind: 'ip_address', start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

/** Keeps the earliest, then the longest, of overlapping spans. */
function withoutOverlaps(spans: PiiSpan[]): PiiSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiSpan[] = [];
  for (const span of sorted) {
    const last = kept.at(-1);
    if (last && span.start < last.end) continue;
    kept.push(span);
  }
  return kept;
}

const KIND_ORDER = Object.keys(PII_PLACEHOLDERS) as DetectedPiiKind[];

/** Finds PII in a text. Cards and SSNs are matched before phones, so a card is never called a phone. */
export function detectPii(text: string): PiiResult {
  const spans = withoutOverlaps([
    ...findEmails(text),
    ...findCards(text),
    ...findSsns(text),
    ...findBankDetails(text),
    ...findOtherIds(text),
    ...findIps(text),
    ...findBirthDates(text),
    ...findAddresses(text),
    ...findPhones(text),
  ]);
  const found = new Set(spans.map((s) => s.kind));
  return { spans, kinds: KIND_ORDER.filter((k) => found.has(k)) };
}

/**
 * Replaces each span with its typed placeholder, except kinds the preferences say to `keep`.
 * @example redactPii('mail me at a@b.co').text // 'mail me at [EMAIL]'
 */
export function redactPii(text: string, preferences: PiiPreferences = {}, result: PiiResult = detectPii(text)) {
  let out = '';
  let cursor = 0;
  for (const span of result.spans) {
    if ((preferences[span.kind] ?? 'redact') === 'keep') continue;
    out += text.slice(cursor, span.start) + PII_PLACEHOLDERS[span.kind];
    cursor = span.end;
  }
  return { text: out + text.slice(cursor), kinds: result.kinds };
}

/** Reads `pii_handling_preferences` (free-form jsonb) leniently: unknown kinds or values are ignored. */
export function parsePiiPreferences(raw: Record<string, unknown>): PiiPreferences {
  const prefs: PiiPreferences = {};
  for (const kind of KIND_ORDER) {
    const value = raw[kind];
    if (value === 'redact' || value === 'keep') prefs[kind] = value;
  }
  return prefs;
}
