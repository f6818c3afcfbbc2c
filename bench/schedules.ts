// 100,000 active schedules due in the same minute: how fast the clock enqueues every schedule-run job
// (outbox and direct modes), how fast workers write the execution rows (in_app check-ins: execution row,
// conversation, first message), lateness p50/p99, duplicates; and BullMQ's upsertJobScheduler on the same
// crons as the comparison. Runs on a database and Redis prefix of its own, removed at the end.
//   node_modules/.bin/node bench/schedules.ts      (BENCH_SCHEDULES, BENCH_WORK_SECONDS, BENCH_BULLMQ_SCHEDULERS)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { initOrm } from '../src/db/orm.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { scheduleRun } from '../src/queues/schedule-run.ts';
import { tickSchedules, type EnqueueMode } from '../src/clock/schedules-tick.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { register } from '../src/workers/context.ts';
import { processScheduleRun } from '../src/workers/schedule-run.ts';
import { headline } from './support.ts';

const N = Number(process.env.BENCH_SCHEDULES ?? 100_000);
const WORK_SECONDS = Number(process.env.BENCH_WORK_SECONDS ?? 30);
const SCHEDULERS = Number(process.env.BENCH_BULLMQ_SCHEDULERS ?? 5_000);
const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'Africa/Lagos',
  'Asia/Singapore',
  'Pacific/Auckland',
  'Europe/Paris',
  'America/Havana',
  'Asia/Dubai',
  'Europe/Moscow',
  'America/Denver',
  'Asia/Shanghai',
];
const CRONS = ['0 9 * * *', '30 8 * * 1-5', '0 20 * * *', '15 7 * * *', '0 12 * * 0,6'];

const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `hearth_bench_${randomBytes(3).toString('hex')}`;
const dbUrl = admin.replace(/\/[^/]*$/, `/${dbName}`);
const sql = async (url: string, text: string, params: unknown[] = []) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
};

const percentile = (timeline: { t: number; n: number }[], fraction: number) =>
  timeline.find((p) => p.n >= Math.ceil(N * fraction))?.t;
/** The rows that go into RESULTS.md's headline figures. */
const HEADLINE_ROWS = ['clock, outbox', 'check-ups done', 'all check-ups done', 'duplicate execution rows'];
const fmt = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** Polls a count until it reaches N or the time runs out; returns (ms since `start`, count) points. */
async function timeline(start: number, count: () => Promise<number>, limitMs: number) {
  const points: { t: number; n: number }[] = [];
  while (performance.now() - start < limitMs) {
    const n = await count();
    points.push({ t: performance.now() - start, n });
    if (n >= N) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return points;
}

async function main() {
  await sql(admin, `create database "${dbName}"`);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl,
    DATABASE_POOL_MAX: '20',
    REDIS_PREFIX: `hearth-bench-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'silent',
  });
  const orm = await initOrm(config);
  const log = createLogger('silent');
  const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
  const rows: [string, string][] = [];
  try {
    await orm.migrator.up();
    const due = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await sql(
      dbUrl,
      `insert into users (id, email) select gen_random_uuid(), 'bench' || g || '@example.test' from generate_series(1, 1000) g`,
    );
    const seed = async () => {
      await sql(dbUrl, 'truncate schedules cascade');
      await sql(
        dbUrl,
        `with u as (select id, row_number() over () - 1 as n from users)
        insert into schedules (user_id, name, schedule_type, cron_expression, timezone, next_run_at, reminder_method)
        select u.id, 'bench', 'chat', ($1::text[])[1 + g % 5], ($2::text[])[1 + (g / 5) % 20], $3, 'in_app'
        from generate_series(0, $4 - 1) g join u on u.n = g % 1000`,
        [CRONS, ZONES, due, N],
      );
    };
    const queue = producer.queue(scheduleRun);
    const jobCount = () =>
      queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'prioritized', 'delayed');

    // 1. The clock, in both enqueue modes (direct first, then outbox, which the workers then drain).
    const enqueue: Record<EnqueueMode, { ms: number; p50?: number; p99?: number; rowsMs?: number }> = {} as never;
    const executionCount =
      (where = '') =>
      async () =>
        Number((await sql(dbUrl, `select count(*) from schedule_executions ${where}`))[0].count);
    for (const mode of ['direct', 'outbox'] as const) {
      await seed();
      await queue.obliterate({ force: true });
      await sql(dbUrl, 'truncate outbox_jobs');
      const start = performance.now();
      const [jobsPolled, rowsPolled] = [timeline(start, jobCount, 60_000), timeline(start, executionCount(), 60_000)];
      await tickSchedules({
        em: orm.em,
        producer,
        log,
        batchSize: config.SCHEDULE_BATCH_SIZE,
        claimers: config.SCHEDULE_CLAIMERS,
        enqueue: mode,
      });
      const ms = performance.now() - start;
      const [points, rowPoints] = [await jobsPolled, await rowsPolled];
      enqueue[mode] = {
        ms,
        p50: percentile(points, 0.5),
        p99: percentile(points, 0.99),
        rowsMs: percentile(rowPoints, 1),
      };
    }
    const redisJobs = await jobCount();

    // 2. Workers write the execution rows (in_app: execution, conversation, first message).
    const workStart = performance.now();
    const runtime = startWorkerRuntime({
      orm,
      producer,
      log,
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      registrations: [register(scheduleRun, processScheduleRun)],
      concurrency: 40,
    });
    const executions = await timeline(workStart, executionCount("where status <> 'pending'"), WORK_SECONDS * 1000);
    await runtime.close(5_000);
    const written = executions.at(-1)!.n;
    const workMs = executions.at(-1)!.t;
    const [dup] = await sql(
      dbUrl,
      `select count(*) - count(distinct (schedule_id, executed_at)) as dup from schedule_executions`,
    );
    const [conv] = await sql(dbUrl, `select count(*) - count(distinct id) as dup, count(*) as n from conversations`);

    // 3. BullMQ's own job schedulers for the same crons and zones (SCHEDULERS of them, extrapolated to N).
    const mem = async () => Number(/used_memory:(\d+)/.exec(await producer.connection.info('memory'))![1]);
    await queue.obliterate({ force: true });
    const before = await mem();
    const bullStart = performance.now();
    for (let i = 0; i < SCHEDULERS; i++) {
      await queue.upsertJobScheduler(
        `bench-${i}`,
        { pattern: CRONS[i % 5]!, tz: ZONES[Math.floor(i / 5) % 20]! },
        { name: scheduleRun.name, data: {} },
      );
    }
    const bullMs = performance.now() - bullStart;
    const bullBytes = (await mem()) - before;
    await queue.obliterate({ force: true });

    const scale = N / SCHEDULERS;
    rows.push(
      ['schedules due in the same minute', N.toLocaleString('en')],
      ['distinct (cron, zone) pairs', String(CRONS.length * ZONES.length)],
      ['clock, direct (Queue.addBulk in the claim transaction): all enqueued', fmt(enqueue.direct.ms)],
      ['clock, outbox (rows + advance atomic, then addBulk): all enqueued', fmt(enqueue.outbox.ms)],
      [
        'enqueue lateness p50 / p99 (outbox, from tick start)',
        `${fmt(enqueue.outbox.p50)} / ${fmt(enqueue.outbox.p99)}`,
      ],
      ['all execution rows written (pending, with the claim; outbox)', fmt(enqueue.outbox.rowsMs)],
      ['schedule-run jobs in Redis after both runs (must equal N)', redisJobs.toLocaleString('en')],
      [
        `check-ups done (execution sent) in ${WORK_SECONDS} s budget (40 concurrent, 1 process)`,
        `${written.toLocaleString('en')} (${Math.round(written / (workMs / 1000))}/s)`,
      ],
      [
        'all check-ups done',
        written >= N ? fmt(workMs) : `not within budget; projected ${fmt((N / written) * workMs)}`,
      ],
      [
        'check-up lateness p50 / p99 (from work start)',
        `${fmt(percentile(executions, 0.5))} / ${fmt(percentile(executions, 0.99))}`,
      ],
      ['duplicate execution rows / conversations', `${dup.dup} / ${conv.dup}`],
      [
        `BullMQ upsertJobScheduler × ${SCHEDULERS.toLocaleString('en')}`,
        `${fmt(bullMs)} (×${scale} → ${fmt(bullMs * scale)} for N)`,
      ],
      [
        'BullMQ scheduler Redis memory',
        `${(bullBytes / 1024 / 1024).toFixed(1)} MiB (→ ${((bullBytes * scale) / 1024 / 1024).toFixed(0)} MiB for N; ${Math.round(bullBytes / SCHEDULERS)} B each)`,
      ],
      ['Hearth schedule Redis memory', '0 B each (rows in PostgreSQL; only the due runs are jobs)'],
    );
  } finally {
    await producer
      .queue(scheduleRun)
      .obliterate({ force: true })
      .catch(() => {});
    await producer.close();
    producer.connection.disconnect();
    await orm.close();
    await sql(admin, `drop database if exists "${dbName}" with (force)`);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  for (const [k, v] of rows.filter(([k]) => HEADLINE_ROWS.some((h) => k.startsWith(h)))) headline(k, v);
}

await main();
