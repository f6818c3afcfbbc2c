// Safety outreach latency: from POST /v1/safety/alerts to the first request the (fake) Twilio receives,
// over 200 incidents, while the workers also chew through 1,000 background jobs. Runs against its own
// database and Redis prefix (both removed at the end). Usage: node_modules/.bin/node bench/safety.ts
// (BENCH_INCIDENTS, BENCH_BACKGROUND_JOBS, BENCH_IN_PROCESS=1, BENCH_LOG_LEVEL, WORKER_CONCURRENCY override the defaults.)
import { randomBytes, randomInt } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { headline } from './support.ts';
import { getConfig } from '../src/config.ts';
import { initOrm } from '../src/db/orm.ts';
import { createApp } from '../src/api/app.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { auditEvent } from '../src/queues/audit-event.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { registrations } from '../src/workers/processors.ts';
import { startOutboxRelay } from '../src/queues/outbox-relay.ts';
import { User } from '../src/entities/user.entity.ts';
import { SafetyContact } from '../src/entities/safety-contact.entity.ts';
import { startFakeTwilio } from '../test/support/fake-twilio.ts';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 200);
const BACKGROUND_JOBS = Number(process.env.BENCH_BACKGROUND_JOBS ?? 1_000);
const INTERVAL_MS = 25; // 40 alerts a second
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `hearth_bench_safety_${randomBytes(3).toString('hex')}`;
const jwtSecret = 'bench-jwt-secret-bench-jwt-secret-0123456789';

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${dbName}"`);
const twilio = await startFakeTwilio();
Object.assign(process.env, {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  DATABASE_URL: adminUrl.replace(/\/[^/]*$/, `/${dbName}`),
  DATABASE_POOL_MAX: '20',
  REDIS_PREFIX: `hearth-bench-${randomBytes(3).toString('hex')}`,
  SUPABASE_JWT_SECRET: jwtSecret,
  TWILIO_BASE_URL: twilio.url,
  TWILIO_ACCOUNT_SID: 'AC0bench',
  TWILIO_AUTH_TOKEN: 'bench-token',
  TWILIO_FROM_NUMBER: '+15550001111',
  OUTREACH_ESCALATE_MINUTES: '60',
  WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '10',
});
const config = getConfig();
const orm = await initOrm(config);
await orm.migrator.up();
const log = createLogger(config.LOG_LEVEL);
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
const app = createApp({ config, orm, producer, log });
// As deployed (Procfile): the API here, workers + clock in a process of their own. BENCH_IN_PROCESS=1 runs all in one.
const inProcess = process.env.BENCH_IN_PROCESS === '1';
const workers = inProcess
  ? startWorkerRuntime({
      orm,
      producer,
      log,
      registrations,
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
    })
  : null;
const relay = inProcess
  ? startOutboxRelay({
      em: orm.em,
      producer,
      log,
      intervalMs: config.OUTBOX_POLL_MS,
      batchSize: config.OUTBOX_BATCH_SIZE,
    })
  : null;
const child = inProcess
  ? null
  : spawn(process.execPath, ['src/main.ts', 'worker', 'clock'], {
      env: { ...process.env, LOG_LEVEL: 'info', DATABASE_POOL_MAX: '20' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
if (child) {
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('hearth ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited ${code}`)));
  });
  child.stdout!.resume();
}

try {
  // One user with one SMS contact per incident; the contact's number identifies the incident at Twilio.
  const em = orm.em.fork();
  const people = Array.from({ length: INCIDENTS }, () => {
    const user = em.create(User, { id: crypto.randomUUID(), displayName: 'Robin' });
    const number = `+4915${randomInt(10_000_000, 99_999_999)}`;
    em.create(SafetyContact, {
      user,
      externalFirstName: 'Sam',
      externalPhoneNumber: number,
      priorityOrder: 1,
      allowedCommunicationMethods: ['sms'],
    });
    return { user, number };
  });
  await em.flush();
  const tokens = await Promise.all(
    people.map((p) =>
      new SignJWT({ role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(p.user.id)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(jwtSecret)),
    ),
  );

  // Background load: ordinary jobs on the same workers (memory-extraction is not on this branch; audit-event stands in).
  await Promise.all(
    Array.from({ length: BACKGROUND_JOBS }, (_, i) =>
      producer.enqueue(auditEvent, {
        user_id: null,
        event_type: 'bench.load',
        event_category: 'system',
        severity: 'debug',
        event_data: { i },
        request_id: null,
      }),
    ),
  );

  const started = new Map<string, number>();
  const statuses: number[] = [];
  const apiMs: number[] = [];
  const wall = performance.now();
  await Promise.all(
    people.map(async (p, i) => {
      await new Promise((r) => setTimeout(r, i * INTERVAL_MS));
      started.set(p.number, performance.now());
      const res = await app.request('/v1/safety/alerts', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
        body: '{}',
      });
      statuses.push(res.status);
      apiMs.push(performance.now() - started.get(p.number)!);
    }),
  );
  const deadline = Date.now() + 60_000;
  while (new Set(twilio.requests.map((r) => r.form.To)).size < INCIDENTS && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));

  const first = new Map<string, number>();
  for (const r of twilio.requests) if (!first.has(r.form.To!)) first.set(r.form.To!, r.at);
  const latencies = people
    .flatMap((p) => (first.has(p.number) ? [first.get(p.number)! - started.get(p.number)!] : []))
    .sort((a, b) => a - b);
  const quantile = (xs: number[], f: number) => xs[Math.min(xs.length - 1, Math.ceil(f * xs.length) - 1)] ?? NaN;
  const q = (f: number) => quantile(latencies, f);
  apiMs.sort((a, b) => a - b);
  const duplicates = twilio.requests.length - first.size;
  if (process.env.BENCH_DEBUG)
    console.log(people.slice(0, 10).map((p) => Math.round(first.get(p.number)! - started.get(p.number)!)));
  headline(
    `crisis alert → first Twilio request (${INCIDENTS} incidents, ${BACKGROUND_JOBS} background jobs)`,
    `p50 ${Math.round(q(0.5))} ms, p99 ${Math.round(q(0.99))} ms, ${duplicates} duplicate sends`,
  );
  console.log('\nsafety outreach: POST /v1/safety/alerts → first Twilio request received');
  console.table({
    incidents: { value: INCIDENTS },
    'accepted (202)': { value: statuses.filter((s) => s === 202).length },
    'reached Twilio': { value: latencies.length },
    'duplicate sends': { value: duplicates },
    'background jobs': { value: BACKGROUND_JOBS },
    'worker concurrency': { value: config.WORKER_CONCURRENCY },
    processes: { value: inProcess ? 'one' : 'api | worker+clock' },
    'p50 ms': { value: Math.round(q(0.5)) },
    'p95 ms': { value: Math.round(q(0.95)) },
    'p99 ms': { value: Math.round(q(0.99)) },
    'max ms': { value: Math.round(q(1)) },
    'API 202 p50 ms': { value: Math.round(quantile(apiMs, 0.5)) },
    'API 202 p99 ms': { value: Math.round(quantile(apiMs, 0.99)) },
    'wall s': { value: Number(((performance.now() - wall) / 1000).toFixed(1)) },
  });
} finally {
  await relay?.stop();
  await workers?.close(5_000);
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await producer.close();
  producer.connection.disconnect();
  await orm.close();
  await twilio.close();
  await admin.query(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
  const redis = new Redis(config.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
