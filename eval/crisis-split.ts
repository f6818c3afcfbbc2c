// `npm run eval:crisis -- dev` (or train): the crisis detector on one split, as `npm run eval` prints it
// (95 % Wilson intervals, per kind), without touching any other split. The held-out test split is refused
// unless `--held-out` is given: it is measured once, after the detector is frozen, never while tuning.
import { printCrisisSplit } from './crisis-eval.ts';
import { CRISIS_SPLITS, type CrisisSplit } from './crisis-sets.ts';
import { sentenceEncoder } from '../src/ml/sentence-encoder.ts';

const args = process.argv.slice(2);
const splits = args.filter((a) => !a.startsWith('--'));
if (splits.length === 0) splits.push('dev');
for (const split of splits) {
  if (!(CRISIS_SPLITS as readonly string[]).includes(split)) throw new Error(`unknown split ${split}`);
  if (split === 'test' && !args.includes('--held-out'))
    throw new Error('the test split is held out: pass --held-out once the detector is frozen');
}
for (const split of splits as CrisisSplit[]) {
  await printCrisisSplit(split);
}
await sentenceEncoder().close();
