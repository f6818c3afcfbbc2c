// `npm run chaos`: each scenario drives real Hearth processes against the machine's PostgreSQL and Redis
// (or a Redis of its own), with a bounded load, and ends with an invariant check over the database.
// Exit code 1 when any invariant fails. `npm run chaos -- kill9 clocks` runs only the named scenarios.
// The results also go to test-results/chaos.json (CHAOS_REPORT), for CI to add into its closing line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cleanupLeftovers, type Outcome } from './support.ts';
import { kill9 } from './scenarios/kill9.ts';
import { deploy } from './scenarios/deploy.ts';
import { scaleOut } from './scenarios/scale-out.ts';
import { redisOutage } from './scenarios/redis-outage.ts';
import { postgresOutage } from './scenarios/postgres-outage.ts';
import { clocks } from './scenarios/clocks.ts';
import { webhooks } from './scenarios/webhooks.ts';

const SCENARIOS: Record<string, () => Promise<Outcome>> = {
  kill9,
  deploy,
  'scale-out': scaleOut,
  'redis-outage': redisOutage,
  'postgres-outage': postgresOutage,
  clocks,
  webhooks,
};
// A scenario that hangs must not hang CI: past this it fails and its processes are killed.
const TIMEOUT_S = Number(process.env.CHAOS_SCENARIO_TIMEOUT_S ?? 360);
const REPORT = process.env.CHAOS_REPORT ?? 'test-results/chaos.json';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in SCENARIOS));
if (unknown.length) {
  console.error(`chaos: unknown scenario ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  process.exit(2);
}

const started = Date.now();
const results: { scenario: string; ok: boolean; outcome: Record<string, string | number | boolean> }[] = [];

function writeReport() {
  const failed = results.filter((r) => !r.ok).length;
  mkdirSync(dirname(REPORT), { recursive: true });
  const report = {
    passed: results.length - failed,
    failed,
    seconds: Math.round((Date.now() - started) / 1000),
    scenarios: results,
  };
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

// Interrupted (Ctrl-C, CI cancel): take the children, databases and Redis keys down, report, exit 1.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    results.push({ scenario: 'interrupted', ok: false, outcome: { signal } });
    void cleanupLeftovers().finally(() => {
      writeReport();
      process.exit(1);
    });
  });
}

for (const [name, run] of Object.entries(SCENARIOS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_S} s`)), TIMEOUT_S * 1000);
  });
  const running = run();
  running.catch(() => undefined); // after a timeout its late failure is expected, not an unhandled rejection
  try {
    const { ok, ...outcome } = await Promise.race([running, timeout]);
    results.push({
      scenario: name,
      ok,
      outcome: { ...outcome, seconds: Math.round((performance.now() - t) / 100) / 10 },
    });
  } catch (err) {
    results.push({
      scenario: name,
      ok: false,
      outcome: { error: (err as Error).message, seconds: Math.round((performance.now() - t) / 100) / 10 },
    });
  } finally {
    clearTimeout(timer);
  }
  // A scenario cleans up after itself; this catches what a failure or a timeout left behind.
  const leftovers = await cleanupLeftovers();
  if (leftovers.killed || leftovers.disposed)
    results.at(-1)!.outcome.leftoversCleaned = `${leftovers.killed} processes, ${leftovers.disposed} environments`;
  console.log(JSON.stringify(results.at(-1)));
}

// One line per scenario here; each one's figures are in its JSON line above and in the report.
console.table(
  results.map((r) => ({
    scenario: r.scenario,
    ok: r.ok,
    seconds: r.outcome.seconds ?? '',
    error: r.outcome.error ?? '',
  })),
);
const report = writeReport();
console.log(`${report.passed} passed, ${report.failed} failed`);
process.exit(report.failed ? 1 : 0);
