// Certificates given in the environment: platforms hand them over as PEM text in a variable, machines as
// a file path. Either way the process holds the PEM text.
import { readFileSync } from 'node:fs';

/** The PEM text of `value` (PEM itself, or a path to read); throws a one-line Error naming what is wrong. */
export function pemOrPath(value: string): string {
  if (value.includes('-----BEGIN')) return value.replaceAll('\\n', '\n');
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    throw new Error(`neither PEM text nor a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text.includes('-----BEGIN')) throw new Error(`${value} holds no PEM certificate`);
  return text;
}
