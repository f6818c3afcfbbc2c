// `npm run bench`: every bench/<name>.ts in turn (or those named: `npm run bench -- enqueue`), each in
// its own process, then bench/RESULTS.md holds every figure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const all = readdirSync(here).filter((f) => f.endsWith('.ts') && !['index.ts', 'support.ts'].includes(f)).map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
const chosen = wanted.length ? all.filter((n) => wanted.includes(n)) : all;
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync(process.execPath, [new URL(`${name}.ts`, here).pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\n${chosen.length - failed} benchmarks ran, ${failed} failed; figures in bench/RESULTS.md`);
process.exitCode = failed ? 1 : 0;
