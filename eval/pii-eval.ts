// The PII detector on eval/data/pii-<split>.jsonl (text; pii: [{ kind, value }]): the share of PII values
// that no longer appear in the redacted text, and the share of PII-free messages left unchanged — the two
// figures the app depends on (what reaches processed_content).
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { redactPii } from '../src/domain/pii.ts';
import { type Rate, rate } from './crisis-eval.ts';

const PiiRow = z.object({
  text: z.string(),
  pii: z.array(z.object({ kind: z.string(), value: z.string().min(1) })),
  kind: z.string().optional(),
});

export const PII_SPLITS = ['dev', 'test'] as const;

/** The rows of eval/data/pii-<split>.jsonl; [] when it does not exist. */
export function loadPiiSplit(split: (typeof PII_SPLITS)[number]) {
  const url = new URL(`./data/pii-${split}.jsonl`, import.meta.url);
  if (!existsSync(url)) return [];
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => PiiRow.parse(JSON.parse(line)));
}

export interface PiiFigures {
  valuesRedacted: Rate;
  piiFreeUnchanged: Rate;
  misses: string[];
}

export function evaluatePii(rows: ReturnType<typeof loadPiiSplit>): PiiFigures {
  let values = 0;
  let redacted = 0;
  let free = 0;
  let unchanged = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const out = redactPii(row.text).text;
    if (row.pii.length === 0) {
      free += 1;
      if (out === row.text) unchanged += 1;
      else misses.push(`flagged PII-free: ${JSON.stringify(row.text)} → ${JSON.stringify(out)}`);
    }
    for (const { kind, value } of row.pii) {
      values += 1;
      if (!out.includes(value)) redacted += 1;
      else misses.push(`missed ${kind} ${JSON.stringify(value)} in ${JSON.stringify(row.text)}`);
    }
  }
  return { valuesRedacted: rate(redacted, values), piiFreeUnchanged: rate(unchanged, free), misses };
}
