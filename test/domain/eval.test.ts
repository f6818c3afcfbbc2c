// Holds the targets on the labelled evaluation set, so a lexicon or pattern change that loses
// recall or starts flagging ordinary text fails the suite (npm run eval -- --verbose lists the misses).
import { expect, it } from 'vitest';
import { evaluate, loadEvalSet } from '../../eval/evaluate.ts';

const rows = loadEvalSet();
const r = evaluate(rows);

it('has at least 150 labelled messages of every kind', () => {
  expect(rows.length).toBeGreaterThanOrEqual(150);
  for (const group of ['pii_structured', 'pii_address_dob', 'pii_free', 'crisis', 'near_miss', 'memory', 'chitchat']) {
    expect(rows.filter((row) => row.group === group).length).toBeGreaterThanOrEqual(15);
  }
});

it('meets the PII targets', () => {
  expect(r.piiStructured.recall()).toBeGreaterThanOrEqual(0.98);
  expect(r.piiAddressDob.recall()).toBeGreaterThanOrEqual(0.9);
  expect(r.piiFreeUnchanged / r.piiFree).toBeGreaterThanOrEqual(0.98);
});

it('meets the crisis targets', () => {
  expect(r.crisis.recall()).toBeGreaterThanOrEqual(0.95);
  expect(r.crisis.precision()).toBeGreaterThanOrEqual(0.8);
});

it('extracts memories from memory-worthy lines and not from chit-chat', () => {
  expect(r.memory.recall()).toBeGreaterThanOrEqual(0.85);
  expect(r.memory.precision()).toBeGreaterThanOrEqual(0.9);
});
