// `npm run eval [-- --verbose]`: precision and recall on eval/messages.jsonl (see evaluate.ts), the crisis
// detector on each of its splits in eval/data/ (see crisis-eval.ts), then retrieval and consolidation (see
// retrieval.ts).
import { CRISIS_SPLITS } from './crisis-sets.ts';
import { printCrisisSplit } from './crisis-eval.ts';
import { evaluate, loadEvalSet, type Tally } from './evaluate.ts';
import { runRetrievalEval } from './retrieval.ts';
import { sentenceEncoder } from '../src/ml/sentence-encoder.ts';

const rows = loadEvalSet();
const r = evaluate(rows);
const fmt = (n: number) => n.toFixed(3);
const line = (metric: string, t: Tally, target: string) => ({
  metric,
  'n (tp+fn)': t.tp + t.fn,
  precision: fmt(t.precision()),
  recall: fmt(t.recall()),
  target,
});

if (process.argv.includes('--verbose'))
  for (const t of [r.piiStructured, r.piiAddressDob, r.crisis, r.memory])
    for (const m of t.misses) console.log(`  ${m}`);
console.log(`eval/messages.jsonl: ${rows.length} messages`);
console.table([
  line('PII structured (email, phone, card, SSN, IP)', r.piiStructured, 'recall ≥ 0.98'),
  line('PII addresses + dates of birth', r.piiAddressDob, 'recall ≥ 0.90'),
  line('crisis (signal ≥ medium)', r.crisis, 'recall ≥ 0.95, precision ≥ 0.80'),
  line('memory extraction (message has a memory)', r.memory, '—'),
]);
console.log(
  `PII-free messages left unchanged: ${r.piiFreeUnchanged}/${r.piiFree} = ${fmt(r.piiFreeUnchanged / r.piiFree)} (target ≥ 0.98)`,
);

console.log('\nCrisis detector (lexicon + sentence model) per split; 95 % Wilson intervals');
for (const split of CRISIS_SPLITS) {
  await printCrisisSplit(split);
}
await runRetrievalEval(process.argv.includes('--verbose'));
await sentenceEncoder().close();
