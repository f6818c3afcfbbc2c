// `npm run eval`: precision and recall of the PII detector, the crisis detector and the rule-based
// memory extractor on the labelled set in eval/messages.jsonl (one JSON object per line:
// text, pii: kinds expected, crisis: signal at medium or above expected, memory: true/false/null = unlabelled).
import { readFileSync } from 'node:fs';
import { assessCrisis, crisisLevelAtLeast } from '../src/domain/crisis.ts';
import { detectPii, redactPii, type DetectedPiiKind } from '../src/domain/pii.ts';
import { extractMemories } from '../src/domain/memory-extraction.ts';

interface Row {
  text: string;
  pii: DetectedPiiKind[];
  crisis: boolean;
  memory: boolean | null;
  group: string;
}
const rows: Row[] = readFileSync(new URL('./messages.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const verbose = process.argv.includes('--verbose');
const miss = (what: string, row: Row, got: unknown) => verbose && console.log(`  ${what}: ${JSON.stringify(row.text)} → ${JSON.stringify(got)}`);

class Tally {
  tp = 0;
  fp = 0;
  fn = 0;
  precision = () => (this.tp + this.fp ? this.tp / (this.tp + this.fp) : 1);
  recall = () => (this.tp + this.fn ? this.tp / (this.tp + this.fn) : 1);
}
const fmt = (n: number) => n.toFixed(3);
const table: { metric: string; n: number; precision: string; recall: string; target: string }[] = [];

// PII: per (message, kind); structured kinds and address/DOB reported separately.
const STRUCTURED: DetectedPiiKind[] = ['email', 'phone', 'financial', 'government_id', 'ip_address'];
const piiGroups = { structured: new Tally(), 'address+dob': new Tally() };
let piiFree = 0;
let piiFreeUnchanged = 0;
for (const row of rows) {
  const found = detectPii(row.text).kinds;
  for (const kind of new Set([...row.pii, ...found])) {
    const tally = STRUCTURED.includes(kind) ? piiGroups.structured : piiGroups['address+dob'];
    if (row.pii.includes(kind) && found.includes(kind)) tally.tp += 1;
    else if (row.pii.includes(kind)) (tally.fn += 1), miss('PII missed', row, found);
    else (tally.fp += 1), miss('PII false flag', row, found);
  }
  if (row.pii.length === 0) {
    piiFree += 1;
    if (redactPii(row.text).text === row.text) piiFreeUnchanged += 1;
  }
}
const piiN = (g: string) => rows.filter((r) => r.pii.some((k) => (g === 'structured') === STRUCTURED.includes(k))).length;
table.push({ metric: 'PII structured (email, phone, card, SSN, IP)', n: piiN('structured'), precision: fmt(piiGroups.structured.precision()), recall: fmt(piiGroups.structured.recall()), target: 'recall ≥ 0.98' });
table.push({ metric: 'PII addresses + dates of birth', n: piiN('address'), precision: fmt(piiGroups['address+dob'].precision()), recall: fmt(piiGroups['address+dob'].recall()), target: 'recall ≥ 0.90' });

// Crisis: a signal at medium or above.
const crisis = new Tally();
for (const row of rows) {
  const a = assessCrisis(row.text);
  const flagged = crisisLevelAtLeast(a.level, 'medium');
  if (flagged && row.crisis) crisis.tp += 1;
  else if (flagged) (crisis.fp += 1), miss('crisis false alarm', row, a.indicators);
  else if (row.crisis) (crisis.fn += 1), miss('crisis missed', row, a.level);
}
table.push({ metric: 'crisis (signal ≥ medium)', n: rows.length, precision: fmt(crisis.precision()), recall: fmt(crisis.recall()), target: 'recall ≥ 0.95, precision ≥ 0.80' });

// Memory: does a labelled message yield at least one memory?
const memory = new Tally();
const labelled = rows.filter((r) => r.memory !== null);
for (const row of labelled) {
  const got = extractMemories(row.text).length > 0;
  if (got && row.memory) memory.tp += 1;
  else if (got) (memory.fp += 1), miss('memory from chit-chat', row, extractMemories(row.text).map((m) => m.memoryType));
  else if (row.memory) (memory.fn += 1), miss('memory missed', row, []);
}
table.push({ metric: 'memory extraction (message has a memory)', n: labelled.length, precision: fmt(memory.precision()), recall: fmt(memory.recall()), target: '—' });

console.log(`eval/messages.jsonl: ${rows.length} messages`);
console.table(table);
console.log(`PII-free messages left unchanged: ${piiFreeUnchanged}/${piiFree} = ${fmt(piiFreeUnchanged / piiFree)} (target ≥ 0.98)`);
