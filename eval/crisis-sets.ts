// The crisis splits in eval/data/ (see its README): one JSON object per line with text, level, category
// and kind. train: the head is fitted on it; dev: thresholds are calibrated on it; test: written by
// another hand after the detector was frozen, never tuned on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { CRISIS_CATEGORIES } from '../src/domain/crisis.ts';
import { MODEL_LEVELS } from '../src/domain/crisis-model.ts';

export const CrisisRow = z.object({
  text: z.string().min(1),
  level: z.enum(MODEL_LEVELS),
  category: z.enum(CRISIS_CATEGORIES).nullable(),
  kind: z.string(),
});
export type CrisisRow = z.infer<typeof CrisisRow>;

export const CRISIS_SPLITS = ['train', 'dev', 'test'] as const;
export type CrisisSplit = (typeof CRISIS_SPLITS)[number];

/** Files of one split: crisis-<split>.jsonl, then any crisis-<split>-<more>.jsonl (e.g. train-extra). */
export function crisisSplitFiles(split: CrisisSplit): URL[] {
  const dir = new URL('./data/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => f === `crisis-${split}.jsonl` || (f.startsWith(`crisis-${split}-`) && f.endsWith('.jsonl')))
    .sort()
    .map((f) => new URL(f, dir));
}

/** The rows of one split; [] when the split has no file yet. */
export function loadCrisisSplit(split: CrisisSplit): CrisisRow[] {
  return crisisSplitFiles(split).flatMap((url) => loadFile(url));
}

function loadFile(url: URL): CrisisRow[] {
  if (!existsSync(url)) return [];
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = CrisisRow.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${url.pathname} line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}
