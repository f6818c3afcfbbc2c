// Processing throughput of the real job types end to end. For memory-extraction, schedule-run and
// vapi-webhook: N jobs made through the type's real producing path (API request, clock tick, webhook
// route) with no worker running, then drained by the real worker runtime (the real registration, that
// queue only) at several concurrencies, each level on fresh jobs. Per level: jobs/s, PostgreSQL rows/s
// (pg_stat_user_tables inserts + updates + deletes), job duration p50/p99 (BullMQ's processedOn →
// finishedOn), failed jobs, and a check that every job's effect is there exactly once.
//   node_modules/.bin/node bench/processing.ts   (BENCH_PROCESSING_JOBS, BENCH_PROCESSING_CONCURRENCY=1,4,8,16,32,
//   BENCH_PROCESSING_TYPES=memory-extraction,schedule-run,vapi-webhook)
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { createApp } from '../src/api/app.ts';
import { initOrm, type Orm } from '../src/db/orm.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { registrations } from '../src/workers/processors.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { TEST_JWT_SECRET } from '../test/support/constants.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../test/support/fake-vapi.ts';
import { eventually } from '../test/support/platform.ts';
import { memoryExtractionScenario } from './processing/memory-extraction.ts';
import type { Produced, Scenario } from './processing/scenario.ts';
import { scheduleRunScenario } from './processing/schedule-run.ts';
import { vapiWebhookScenario } from './processing/vapi-webhook.ts';
import { benchEnv, headline, machineLine, printTable, round, saveResults, type Row } from './support.ts';

const JOBS = Number(process.env.BENCH_PROCESSING_JOBS ?? 300);
const LEVELS = (process.env.BENCH_PROCESSING_CONCURRENCY ?? '1,4,8,16,32').split(',').map(Number);
const WARMUP_JOBS = 30;
const DRAIN_TIMEOUT_MS = 60_000;
const WEBHOOK_SECRET = 'bench-vapi-webhook-secret-0123';

// The processors read the Vapi settings from the environment (getConfig), as a deployed worker does.
const vapi = await new FakeVapi().start();
Object.assign(process.env, {
  VAPI_BASE_URL: vapi.url,
  VAPI_API_KEY: FAKE_VAPI_KEY,
  VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
});
const env = await benchEnv('processing', { SUPABASE_JWT_SECRET: TEST_JWT_SECRET });
const { config } = env;
const log = createLogger('silent');
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
const stats = new pg.Client({ connectionString: config.DATABASE_URL });
await stats.connect();

const sql = async <T>(text: string, params: unknown[] = []) => (await stats.query(text, params)).rows as T[];
const rowsWritten = async () =>
  Number(
    (
      await sql<{ n: string }>(
        'select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) as n from pg_stat_user_tables',
      )
    )[0]!.n,
  );
const pendingOutbox = async (queue: string | null = null) =>
  (
    await sql<{ n: number }>(
      'select count(*)::int as n from outbox_jobs where enqueued_at is null and ($1::text is null or queue = $1)',
      [queue],
    )
  )[0]!.n;

/** Waits until `read` gives the same value twice, 250 ms apart. */
async function steady(read: () => Promise<number>): Promise<void> {
  for (let last = await read(); ; ) {
    await setTimeout(250);
    const now = await read();
    if (now === last) return;
    last = now;
  }
}

/**
 * An ORM of its own for one phase, closed after it. A backend flushes its row counters to pg_stat when it
 * exits (an idle one may hold them for up to 10 s), so once the phase's connections are gone the
 * counters hold all of its writes and none arrive later.
 */
async function phase<T>(poolMax: number, fn: (orm: Orm) => Promise<T>): Promise<T> {
  const since = (await sql<{ since: Date }>('select clock_timestamp() as since'))[0]!.since;
  const orm = await initOrm({ ...config, DATABASE_POOL_MAX: poolMax });
  try {
    return await fn(orm);
  } finally {
    await orm.close();
    await eventually(
      async () =>
        (
          await sql<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend'
       and pid <> pg_backend_pid() and backend_start >= $1`,
            [since],
          )
        )[0]!.n === 0,
    );
  }
}

interface Measure {
  concurrency: number;
  jobs: number;
  seconds: number;
  rows: number;
  p50: number;
  p99: number;
  failed: number;
  problems: string[];
}

async function level(s: Scenario, concurrency: number, n: number): Promise<Measure> {
  const queue = producer.queue(s.job);
  await queue.obliterate({ force: true });
  const produced: Produced = await phase(config.DATABASE_POOL_MAX, async (orm) => {
    const p = await s.produce({ config, orm, app: createApp({ config, orm, producer, log }), producer, log }, n);
    // The API and the clock relay after their commit; let every job reach Redis and its row be marked.
    await eventually(
      async () =>
        (await queue.getJobCountByTypes('waiting', 'prioritized')) >= p.jobs && (await pendingOutbox(s.job.name)) === 0,
    );
    return p;
  });
  const before = await rowsWritten();
  // A connection per worker slot (plus the runtime's own), so the pool is not what limits the level.
  await phase(concurrency + 2, async (orm) => {
    // The real registration, with the level's concurrency in place of the contract's own.
    const registration = registrations.find((r) => r.job.name === s.job.name)!;
    const runtime = startWorkerRuntime({
      orm,
      producer,
      log,
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      concurrency,
      registrations: [{ ...registration, job: { ...registration.job, concurrency } }],
    });
    try {
      await eventually(
        async () => (await queue.getJobCountByTypes('completed', 'failed')) >= produced.jobs,
        DRAIN_TIMEOUT_MS,
      );
      // Follow-up jobs are relayed after each job's commit, without waiting: let those relays land too
      // (some follow-ups, e.g. a call's engagement-update, are left to the clock's outbox relay).
      await steady(() => pendingOutbox());
    } catch (err) {
      console.error(`${s.job.name} at concurrency ${concurrency}: ${(err as Error).message}`);
    } finally {
      await runtime.close(5_000);
    }
  });
  const rows = (await rowsWritten()) - before;
  const done = await queue.getJobs(['completed']);
  const ms = done.map((j) => j.finishedOn! - j.processedOn!).sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0;
  const seconds = (Math.max(...done.map((j) => j.finishedOn!)) - Math.min(...done.map((j) => j.processedOn!))) / 1000;
  const problems = await phase(2, (orm) => produced.verify(orm.em.fork()));
  return {
    concurrency,
    jobs: done.length,
    seconds,
    rows,
    p50: pct(0.5),
    p99: pct(0.99),
    failed: produced.jobs - done.length,
    problems,
  };
}

function table(measures: Measure[]): Row[] {
  const rows = measures.map((m) => ({
    concurrency: m.concurrency,
    'jobs/s': round(m.jobs / m.seconds),
    'rows/s': round(m.rows / m.seconds),
    'rows/job': round(m.rows / Math.max(1, m.jobs), 1),
    'p50 ms': m.p50,
    'p99 ms': m.p99,
    failed: m.failed,
    effects: m.problems.length ? m.problems.join('; ') : 'ok',
  }));
  const best = rows.reduce((a, b) => (b['jobs/s'] > a['jobs/s'] ? b : a));
  // Figures are noisy on a shared machine: the smallest level within 10 % of the best does as well.
  const enough = rows.find((r) => r['jobs/s'] >= 0.9 * best['jobs/s'])!;
  return [
    ...rows,
    {
      ...best,
      concurrency: `best: ${best.concurrency}`,
      effects: `within 10 % from concurrency ${enough.concurrency}`,
    },
  ];
}

const TYPES = process.env.BENCH_PROCESSING_TYPES?.split(',');
const scenarios = [memoryExtractionScenario, scheduleRunScenario, vapiWebhookScenario(vapi, WEBHOOK_SECRET)].filter(
  (s) => !TYPES || TYPES.includes(s.job.name),
);
const sections: Record<string, Row[]> = {};
let bad = 0;
try {
  console.log(`${machineLine()}; ${JOBS} jobs per level, concurrency ${LEVELS.join(', ')}`);
  for (const s of scenarios) {
    await level(s, 4, WARMUP_JOBS); // JIT, caches and pools warm, so concurrency 1 is not also the cold run
    const measures: Measure[] = [];
    for (const c of LEVELS) measures.push(await level(s, c, JOBS));
    bad += measures.filter((m) => m.failed || m.problems.length).length;
    const title = `${s.job.name}: ${s.describe}, ${measures[0]!.jobs + measures[0]!.failed} jobs per level`;
    sections[title] = table(measures);
    printTable(title, sections[title]);
    const best = sections[title].at(-1)!;
    headline(
      `${s.job.name} processing (runs at ${s.job.concurrency ?? 'WORKER_CONCURRENCY'})`,
      `${best.concurrency}: ${best['jobs/s']} jobs/s, ${best['rows/s']} rows/s, p99 ${best['p99 ms']} ms; ${best.effects}`,
    );
  }
  console.log(`\n${machineLine()}`);
  saveResults('processing', sections);
} finally {
  await stats.end();
  await producer.close();
  producer.connection.disconnect();
  await vapi.stop();
  await env.dispose();
}
process.exitCode = bad ? 1 : 0;
