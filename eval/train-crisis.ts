// `npm run train:crisis`: fits the crisis head (src/domain/crisis-model.ts) on eval/data/crisis-train.jsonl
// and calibrates its thresholds on eval/data/crisis-dev.jsonl, then writes src/domain/crisis-head.json.
// Deterministic: the same files give the same weights. The test split is never read here.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { assessCrisis, CRISIS_CATEGORIES, crisisContext, crisisLevelAtLeast } from '../src/domain/crisis.ts';
import { combineCrisis } from '../src/domain/crisis-ensemble.ts';
import {
  type CrisisHead,
  type CrisisThresholds,
  compileHead,
  crisisFeatures,
  MODEL_LEVELS,
  modelLevel,
  type ModelVerdict,
  scoreSegments,
} from '../src/domain/crisis-model.ts';
import { crisisSegments, looksEnglish } from '../src/chat/crisis-detector.ts';
import { SENTENCE_MODEL_DIMENSIONS, SENTENCE_MODEL_NAME, sentenceEncoder } from '../src/ml/sentence-encoder.ts';
import { type CrisisRow, crisisSplitFiles, loadCrisisSplit } from './crisis-sets.ts';
import { loadEvalSet } from './evaluate.ts';
import { fitNetwork } from './lib/fit.ts';

const TARGET_RECALL = 0.96; // dev margin over the 0.95
const TARGET_INTERVENTION_RECALL = 0.9; // the goal

// Embeddings are cached by text under node_modules/.cache (the model is deterministic), so a retrain
// after editing a few rows embeds only those.
const cacheUrl = new URL(`../node_modules/.cache/hearth-embeddings-${SENTENCE_MODEL_NAME}.json`, import.meta.url);
const cache = new Map<string, number[]>(existsSync(cacheUrl) ? JSON.parse(readFileSync(cacheUrl, 'utf8')) : []);

async function embedAll(texts: string[]): Promise<Float32Array[]> {
  const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
  for (let at = 0; at < missing.length; at += 64) {
    const batch = missing.slice(at, at + 64);
    const vectors = await sentenceEncoder().embed(batch);
    for (const [i, v] of vectors.entries()) cache.set(batch[i]!, [...v]);
  }
  return texts.map((t) => Float32Array.from(cache.get(t)!));
}

const NGRAM_BUCKETS = 2048;
const NEGATION_SCOPE = true;
const featuresOf = async (texts: string[]) =>
  (await embedAll(texts)).map((v, i) =>
    crisisFeatures({ ngramBuckets: NGRAM_BUCKETS, negationScope: NEGATION_SCOPE }, v, texts[i]!),
  );

interface Scored {
  row: CrisisRow;
  verdict: ModelVerdict;
  english: boolean;
  lexicon: ReturnType<typeof assessCrisis>;
  context: ReturnType<typeof crisisContext>;
}

async function scoreRows(head: CrisisHead, rows: CrisisRow[]): Promise<Scored[]> {
  const scored: Scored[] = [];
  for (const row of rows) {
    const vectors = await featuresOf(crisisSegments(row.text));
    scored.push({
      row,
      verdict: scoreSegments(head, vectors),
      english: looksEnglish(row.text),
      lexicon: assessCrisis(row.text),
      context: crisisContext(row.text),
    });
  }
  return scored;
}

function tally(scored: Scored[], thresholds: CrisisThresholds) {
  let tp = 0,
    fp = 0,
    fn = 0,
    highs = 0,
    highsCaught = 0,
    negatives = 0,
    negativesIntervened = 0;
  for (const s of scored) {
    const model = { level: modelLevel(s.verdict, thresholds, s.english), category: s.verdict.category };
    const verdict = combineCrisis({ lexicon: s.lexicon, model, context: s.context });
    const flagged = verdict.indicators.length > 0;
    const crisis = s.row.level !== 'none';
    if (crisis && flagged) tp++;
    else if (flagged) fp++;
    else if (crisis) fn++;
    if (s.row.level === 'high' || s.row.level === 'critical') {
      highs++;
      if (verdict.requiresIntervention) highsCaught++;
    }
    if (!crisis) {
      negatives++;
      if (verdict.requiresIntervention) negativesIntervened++;
    }
  }
  return {
    recall: tp / (tp + fn || 1),
    precision: tp / (tp + fp || 1),
    interventionRecall: highsCaught / (highs || 1),
    interventionFalseRate: negativesIntervened / (negatives || 1),
  };
}

/**
 * The highest thresholds (fewest false alarms) that still reach the wanted recall on dev: a miss can cost
 * a life, a false alarm costs a check-in (medium) or a contact reached needlessly (high).
 */
function calibrate(dev: Scored[]): CrisisThresholds {
  const grid = Array.from({ length: 95 }, (_, i) => (i + 3) / 100).reverse();
  const highest = (meets: (t: number) => boolean) => grid.find(meets) ?? grid.at(-1)!;
  const intervene = highest(
    (t) =>
      tally(dev, { flag: 1.01, intervene: t, flagNotEnglish: 1.01 }).interventionRecall >= TARGET_INTERVENTION_RECALL,
  );
  const flag = Math.min(
    intervene,
    highest((t) => tally(dev, { flag: t, intervene, flagNotEnglish: t }).recall >= TARGET_RECALL),
  );
  return { flag, intervene, flagNotEnglish: Math.round(flag * 60) / 100 };
}

// The non-crisis lines of the older eval/messages.jsonl (PII, chit-chat, memories) teach the model what
// ordinary messages with addresses, emails and numbers look like.
const train = [
  ...loadCrisisSplit('train'),
  ...loadEvalSet()
    .filter((r) => !r.crisis)
    .map((r) => ({ text: r.text, level: 'none' as const, category: null, kind: `ordinary_${r.group}` })),
];
const dev = loadCrisisSplit('dev');
if (train.length === 0 || dev.length === 0)
  throw new Error('eval/data/crisis-train.jsonl and crisis-dev.jsonl are needed');
console.log(`train: ${train.length} rows, dev: ${dev.length} rows; embedding…`);
const xs = await featuresOf(train.map((r) => r.text));
const network = fitNetwork(
  xs,
  train.map((r) => MODEL_LEVELS.indexOf(r.level)),
  MODEL_LEVELS.length,
  // A softmax regression: a hidden layer scored better on dev but was overconfident on text unlike the
  // training set (an address and an email read as critical), so the simpler, calmer model is used.
  // Weight decay 1e-5: in 5-fold cross-validation on train, more decay (1e-4, 1e-3, 1e-2) raised the false
  // interventions at the same intervention recall (0.155, 0.19, 0.34 at 0.90 against 0.151).
  { hidden: 0, epochs: 100, rate: 0.02, decay: 1e-5, batch: 64, seed: 1 },
);
const crisisRows = train.map((r, i) => ({ r, x: xs[i]! })).filter(({ r }) => r.category !== null);
const categories = fitNetwork(
  crisisRows.map(({ x }) => x),
  crisisRows.map(({ r }) => CRISIS_CATEGORIES.indexOf(r.category!)),
  CRISIS_CATEGORIES.length,
  { hidden: 0, epochs: 100, rate: 0.02, decay: 1e-4, batch: 64, seed: 1 },
).outputLayer;
const digest = createHash('sha256');
for (const url of [...crisisSplitFiles('train'), ...crisisSplitFiles('dev')]) digest.update(readFileSync(url));
const draft: CrisisHead = {
  version: `crisis-head-${digest.digest('hex').slice(0, 12)}`,
  model: SENTENCE_MODEL_NAME,
  dimensions: SENTENCE_MODEL_DIMENSIONS,
  ngramBuckets: NGRAM_BUCKETS,
  negationScope: NEGATION_SCOPE,
  hidden: network.hiddenLayer,
  levels: network.outputLayer,
  categories,
  thresholds: { flag: 0.5, intervene: 0.5, flagNotEnglish: 0.3 },
};
const devScored = await scoreRows(compileHead(draft), dev);
const thresholds = calibrate(devScored);
const head = { ...draft, thresholds };
writeFileSync(new URL('../src/domain/crisis-head.json', import.meta.url), `${JSON.stringify(head)}\n`);
console.log('dev, by flag threshold (lexicon + model): recall / precision');
console.table(
  [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((t) => {
    const r = tally(devScored, { flag: t, intervene: Math.max(t, thresholds.intervene), flagNotEnglish: t });
    return { flag: t, recall: r.recall.toFixed(3), precision: r.precision.toFixed(3) };
  }),
);
console.log('dev, by intervention threshold: recall of high/critical / false rate on non-crisis');
console.table(
  [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((t) => {
    const r = tally(devScored, { flag: 1.01, intervene: t, flagNotEnglish: 1.01 });
    return { intervene: t, recall: r.interventionRecall.toFixed(3), falseRate: r.interventionFalseRate.toFixed(3) };
  }),
);
console.log('thresholds', thresholds);
console.log('dev (lexicon + model)', tally(devScored, thresholds));
console.log('dev (lexicon alone)', tally(devScored, { flag: 1.01, intervene: 1.01, flagNotEnglish: 1.01 }));
const lexiconOnlyDev = devScored.filter((s) => crisisLevelAtLeast(s.lexicon.level, 'low')).length;
console.log(`dev rows the lexicon flags: ${lexiconOnlyDev}`);
mkdirSync(new URL('.', cacheUrl), { recursive: true });
writeFileSync(cacheUrl, JSON.stringify([...cache]));
await sentenceEncoder().close();
