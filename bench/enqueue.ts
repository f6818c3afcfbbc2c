// Enqueue and processing overhead of the platform against raw BullMQ, measured side by side:
//  - the HTTP enqueue paths of a real `web` process (node src/main.ts web, as deployed) under autocannon
//    from this process: POST /v1/audit-events (the job is the only write) and POST
//    /v1/conversations/:id/messages (the message is stored and its extraction job enqueued), 50 connections
//  - raw Queue.add of the same payload in one loop (the yardstick) and in 50 concurrent loops,
//    and raw addBulk
//  - a no-op processor through the worker runtime vs a bare BullMQ Worker
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { chaosEnv, SERVICE_KEY } from '../chaos/support.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection, workerConnection } from '../src/queues/connection.ts';
import { defineJob } from '../src/queues/define-job.ts';
import { Producer } from '../src/queues/producer.ts';
import { register } from '../src/workers/context.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { headline, printTable, round, saveResults, type Row } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const PROCESS_JOBS = Number(process.env.BENCH_JOBS ?? 5_000);
const JWT_SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';
const payload = {
  user_id: null,
  event_type: 'bench',
  event_category: 'system',
  severity: 'info',
  event_data: { n: 1 },
  request_id: null,
};

// The web process logs every request at info, as in production; no worker runs, so only enqueueing is measured.
const env = await chaosEnv('enqueue', { SUPABASE_JWT_SECRET: JWT_SECRET });
const { config, orm } = env;
const log = createLogger('silent');
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);

type Request = { method: 'POST'; path: string; headers: Record<string, string>; body: string };

async function httpLoad(label: string, port: number, next: () => Request): Promise<Row> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  return {
    path: label,
    'ops/s': round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** One user and one open conversation per connection, with a signed Supabase-shaped token each. */
async function chatUsers(n: number) {
  const users = Array.from({ length: n }, () => ({ id: randomUUID(), conversation: randomUUID() }));
  const conn = orm.em.getConnection();
  await conn.execute(
    `insert into users (id, email) select id, 'bench-' || id || '@example.test' from unnest(?::uuid[]) as id`,
    [`{${users.map((u) => u.id).join(',')}}`],
  );
  await conn.execute(`insert into conversations (id, user_id) select * from unnest(?::uuid[], ?::uuid[])`, [
    `{${users.map((u) => u.conversation).join(',')}}`,
    `{${users.map((u) => u.id).join(',')}}`,
  ]);
  const key = new TextEncoder().encode(JWT_SECRET);
  return Promise.all(
    users.map(async (u) => ({
      ...u,
      token: await new SignJWT({ role: 'authenticated', session_id: randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(u.id)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(key),
    })),
  );
}

async function httpEnqueue(): Promise<Row[]> {
  const web = await env.start('web');
  try {
    const audit = JSON.stringify({
      event_type: 'bench',
      event_category: 'system',
      severity: 'info',
      event_data: { n: 1 },
    });
    const auditHeaders = { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` };
    const auditRow = await httpLoad('HTTP POST /v1/audit-events (outbox row)', web.port!, () => ({
      method: 'POST',
      path: '/v1/audit-events',
      headers: auditHeaders,
      body: audit,
    }));
    const users = await chatUsers(CONNECTIONS);
    let turn = 0;
    const chatRow = await httpLoad(`HTTP POST /v1/conversations/:id/messages (${CONNECTIONS} users)`, web.port!, () => {
      const u = users[turn++ % users.length]!;
      return {
        method: 'POST',
        path: `/v1/conversations/${u.conversation}/messages`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
        body: JSON.stringify({ role: 'user', content: `I went for a walk with my sister today (${turn})` }),
      };
    });
    return [auditRow, chatRow];
  } finally {
    web.proc.kill('SIGTERM');
    await web.exited;
  }
}

async function rawAdd(queue: Queue, loops: number): Promise<Row> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await queue.add('bench', payload);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => round(latencies[Math.floor(latencies.length * p)] ?? 0, 1);
  return {
    path: loops === 1 ? 'raw Queue.add, one loop' : `raw Queue.add × ${loops} loops`,
    'ops/s': round(latencies.length / SECONDS),
    'p50 ms': pct(0.5),
    'p99 ms': pct(0.99),
    errors: 0,
  };
}

async function rawAddBulk(queue: Queue): Promise<Row> {
  let added = 0;
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    await queue.addBulk(Array.from({ length: 100 }, () => ({ name: 'bench', data: payload })));
    added += 100;
  }
  return {
    path: 'raw addBulk (100 per call)',
    'ops/s': round(added / SECONDS),
    'p50 ms': '-',
    'p99 ms': '-',
    errors: 0,
  };
}

const noop = defineJob({
  name: 'bench-noop',
  schema: z.object({ n: z.number() }),
  options: { removeOnComplete: true },
  durable: false,
});

/** Fills a queue with PROCESS_JOBS jobs, then times how long `start` takes to drain it. */
async function drain(name: string, start: (queueName: string) => { close(): Promise<unknown> }): Promise<Row> {
  const queue = new Queue(name, { connection: producer.connection, prefix: config.REDIS_PREFIX });
  for (let i = 0; i < PROCESS_JOBS; i += 500) {
    await queue.addBulk(
      Array.from({ length: 500 }, (_, j) => ({ name, data: { n: i + j }, opts: { removeOnComplete: true } })),
    );
  }
  const t = performance.now();
  const worker = start(name);
  while ((await queue.getJobCountByTypes('waiting', 'active', 'prioritized')) > 0)
    await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  return { processor: name, 'jobs/s': round(PROCESS_JOBS / seconds) };
}

const share = (http: Row, raw: Row) => `${round((Number(http['ops/s']) / Number(raw['ops/s'])) * 100)}%`;

try {
  const [audit, chat] = await httpEnqueue();
  const rawQueue = new Queue('bench-raw', { connection: producer.connection, prefix: config.REDIS_PREFIX });
  const [oneLoop, manyLoops, bulk] = [
    await rawAdd(rawQueue, 1),
    await rawAdd(rawQueue, CONNECTIONS),
    await rawAddBulk(rawQueue),
  ];
  await rawQueue.obliterate({ force: true });
  const enqueue = [audit!, chat!, oneLoop, manyLoops, bulk];
  const ratios: Row[] = [audit!, chat!].map((http) => ({
    'HTTP path': String(http.path).replace(/^HTTP /, ''),
    'vs one Queue.add loop (target ≥ 50%)': share(http, oneLoop),
    [`vs ${CONNECTIONS} Queue.add loops`]: share(http, manyLoops),
    'p99 ms (target < 50)': http['p99 ms']!,
  }));

  const concurrency = config.WORKER_CONCURRENCY * 4;
  const bare = await drain(
    'bench-bare',
    (q) =>
      new Worker(q, async () => undefined, {
        connection: workerConnection(config.REDIS_URL),
        prefix: config.REDIS_PREFIX,
        concurrency,
      }),
  );
  const runtime = await drain(
    noop.name,
    () =>
      startWorkerRuntime({
        orm,
        producer,
        log,
        redisUrl: config.REDIS_URL,
        prefix: config.REDIS_PREFIX,
        concurrency,
        registrations: [register(noop, async () => undefined)],
      }) as unknown as { close(): Promise<unknown> },
  );
  const overhead = round((1 - Number(runtime['jobs/s']) / Number(bare['jobs/s'])) * 100);
  const processing = [
    bare,
    runtime,
    { processor: `runtime overhead (concurrency ${concurrency})`, 'jobs/s': `${overhead}% (target ≤ 15%)` },
  ];

  printTable(`Enqueue, ${CONNECTIONS} connections or loops, ${SECONDS} s each`, enqueue);
  for (const http of [audit!, chat!]) {
    headline(
      `${http.path}`,
      `${http['ops/s']} req/s, p99 ${http['p99 ms']} ms, ${share(http, oneLoop)} of one raw Queue.add loop (targets ≥ 50%, p99 < 50 ms)`,
    );
  }
  headline(
    `worker runtime overhead vs a bare BullMQ Worker (concurrency ${concurrency})`,
    `${overhead}% (target ≤ 15%)`,
  );
  printTable('HTTP enqueue path against raw Queue.add', ratios);
  printTable(`No-op processing of ${PROCESS_JOBS} jobs`, processing);
  saveResults('enqueue', {
    [`Enqueue (${CONNECTIONS} concurrent, ${SECONDS} s each)`]: enqueue,
    'HTTP against raw Queue.add': ratios,
    [`No-op processing of ${PROCESS_JOBS} jobs`]: processing,
  });
} finally {
  await producer.close();
  producer.connection.disconnect();
  await env.dispose();
  process.exit(0); // BullMQ workers keep their (handed-in) connections open; the figures are written
}
