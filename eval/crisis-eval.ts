// The crisis detector measured on each split (eval/data/crisis-*.jsonl), as production runs it: lexicon +
// sentence model (no LLM unless the environment configures one). Recall and precision of "any crisis
// indicator", recall of "requires intervention" on high/critical rows and its false rate on non-crisis rows,
// each with a 95 % Wilson interval, overall and per kind. Used by `npm run eval` and test/domain/eval.test.ts.
import { type CrisisDetector, crisisDetectorFrom } from '../src/chat/crisis-detector.ts';
import { loadConfig } from '../src/config.ts';
import { type CrisisSplit, loadCrisisSplit } from './crisis-sets.ts';

export interface Rate {
  hits: number;
  n: number;
  value: number;
  low: number;
  high: number;
}

/** A proportion with its 95 % Wilson score interval. */
export function rate(hits: number, n: number): Rate {
  if (n === 0) return { hits, n, value: Number.NaN, low: Number.NaN, high: Number.NaN };
  const z = 1.96;
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return { hits, n, value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface CrisisFigures {
  rows: number;
  recall: Rate;
  precision: Rate;
  interventionRecall: Rate;
  interventionFalseRate: Rate;
  /** Recall on crisis rows and false-flag rate on non-crisis rows, per kind. */
  byKind: Record<string, { n: number; flagged: Rate }>;
}

export async function evaluateCrisisSplit(
  split: CrisisSplit,
  detector?: CrisisDetector,
): Promise<CrisisFigures | null> {
  const rows = loadCrisisSplit(split);
  if (rows.length === 0) return null;
  // A local measurement: the development defaults apply unless the environment says otherwise.
  const detect =
    detector ?? crisisDetectorFrom(loadConfig({ NODE_ENV: 'development', ...process.env, LOG_LEVEL: 'silent' }));
  let tp = 0;
  let flaggedAll = 0;
  let crisis = 0;
  let highs = 0;
  let highsCaught = 0;
  let negatives = 0;
  let negativesIntervened = 0;
  const kinds = new Map<string, { n: number; flagged: number }>();
  for (const row of rows) {
    const verdict = await detect.detect(row.text);
    if (verdict.modelError) throw new Error(verdict.modelError);
    const flagged = verdict.indicators.length > 0;
    const isCrisis = row.level !== 'none';
    if (flagged) flaggedAll += 1;
    if (isCrisis) {
      crisis += 1;
      if (flagged) tp += 1;
    } else {
      negatives += 1;
      if (verdict.requiresIntervention) negativesIntervened += 1;
    }
    if (row.level === 'high' || row.level === 'critical') {
      highs += 1;
      if (verdict.requiresIntervention) highsCaught += 1;
    }
    const kind = kinds.get(row.kind) ?? { n: 0, flagged: 0 };
    kind.n += 1;
    if (flagged) kind.flagged += 1;
    kinds.set(row.kind, kind);
  }
  return {
    rows: rows.length,
    recall: rate(tp, crisis),
    precision: rate(tp, flaggedAll),
    interventionRecall: rate(highsCaught, highs),
    interventionFalseRate: rate(negativesIntervened, negatives),
    byKind: Object.fromEntries([...kinds].map(([k, v]) => [k, { n: v.n, flagged: rate(v.flagged, v.n) }])),
  };
}

export const formatRate = (r: Rate) =>
  Number.isNaN(r.value) ? '—' : `${r.value.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}] (${r.hits}/${r.n})`;

/** Prints one split's figures and its per-kind table, as `npm run eval` and `npm run eval:crisis` show them. */
export async function printCrisisSplit(split: CrisisSplit): Promise<void> {
  const f = await evaluateCrisisSplit(split);
  if (!f) {
    console.log(`${split}: no file yet`);
    return;
  }
  console.log(`\n${split}: ${f.rows} messages`);
  console.table({
    'crisis messages with any indicator (recall, goal ≥ 0.95)': formatRate(f.recall),
    'precision of indicators (goal ≥ 0.80)': formatRate(f.precision),
    'high/critical that require intervention (goal ≥ 0.90)': formatRate(f.interventionRecall),
    'non-crisis that require intervention (goal ≤ 0.03)': formatRate(f.interventionFalseRate),
  });
  console.table(Object.fromEntries(Object.entries(f.byKind).map(([kind, k]) => [kind, formatRate(k.flagged)])));
}
