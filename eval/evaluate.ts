// Precision and recall of the PII detector, the crisis detector and the rule-based memory extractor on
// the labelled set in eval/messages.jsonl (one JSON object per line: text; pii: the kinds expected;
// crisis: a signal at medium or above expected; memory: true / false / null = not labelled; group).
// Used by `npm run eval` (prints) and test/domain/eval.test.ts (holds the targets).
import { readFileSync } from 'node:fs';
import { assessCrisis, crisisLevelAtLeast } from '../src/domain/crisis.ts';
import { detectPii, redactPii, type DetectedPiiKind } from '../src/domain/pii.ts';
import { extractMemories } from '../src/domain/memory-extraction.ts';

export interface EvalRow {
  text: string;
  pii: DetectedPiiKind[];
  crisis: boolean;
  memory: boolean | null;
  group: string;
}

export class Tally {
  tp = 0;
  fp = 0;
  fn = 0;
  readonly misses: string[] = [];
  precision = () => (this.tp + this.fp ? this.tp / (this.tp + this.fp) : 1);
  recall = () => (this.tp + this.fn ? this.tp / (this.tp + this.fn) : 1);
  count(expected: boolean, got: boolean, note: string) {
    if (expected && got) this.tp += 1;
    else if (got) {
      this.fp += 1;
      this.misses.push(`false positive: ${note}`);
    } else if (expected) {
      this.fn += 1;
      this.misses.push(`missed: ${note}`);
    }
  }
}

export const loadEvalSet = (): EvalRow[] =>
  readFileSync(new URL('./messages.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const STRUCTURED: readonly DetectedPiiKind[] = ['email', 'phone', 'financial', 'government_id', 'ip_address'];

export function evaluate(rows: readonly EvalRow[]) {
  const piiStructured = new Tally();
  const piiAddressDob = new Tally();
  let piiFree = 0;
  let piiFreeUnchanged = 0;
  const crisis = new Tally();
  const memory = new Tally();
  for (const row of rows) {
    // PII per (message, kind).
    const found = detectPii(row.text).kinds;
    for (const kind of new Set([...row.pii, ...found])) {
      (STRUCTURED.includes(kind) ? piiStructured : piiAddressDob).count(
        row.pii.includes(kind),
        found.includes(kind),
        `${kind} in ${JSON.stringify(row.text)}`,
      );
    }
    if (row.pii.length === 0) {
      piiFree += 1;
      if (redactPii(row.text).text === row.text) piiFreeUnchanged += 1;
    }
    const assessment = assessCrisis(row.text);
    crisis.count(
      row.crisis,
      crisisLevelAtLeast(assessment.level, 'medium'),
      `${JSON.stringify(row.text)} (${assessment.indicators.map((i) => i.cue).join(', ') || 'none'})`,
    );
    if (row.memory !== null) memory.count(row.memory, extractMemories(row.text).length > 0, JSON.stringify(row.text));
  }
  return { piiStructured, piiAddressDob, piiFree, piiFreeUnchanged, crisis, memory };
}
