// Enqueue and processing overhead of the platform against raw BullMQ, measured side by side:
//  - HTTP enqueue path (POST /v1/audit-events: validate, write the outbox row, relay) under autocannon
//  - raw Queue.add of the same payload from 50 concurrent loops, and raw addBulk
//  - a no-op processor through the worker runtime vs a bare BullMQ Worker
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import { z } from 'zod';
import { startWeb } from '../src/api/server.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection, workerConnection } from '../src/queues/connection.ts';
import { defineJob } from '../src/queues/define-job.ts';
import { Producer } from '../src/queues/producer.ts';
import { register } from '../src/workers/context.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { benchEnv, printTable, round, saveResults, type Row } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const PROCESS_JOBS = Number(process.env.BENCH_JOBS ?? 5_000);
const payload = { user_id: null, event_type: 'bench', event_category: 'system', severity: 'info', event_data: { n: 1 }, request_id: null };

const env = await benchEnv('enqueue');
const { config, orm } = env;
const log = createLogger('silent');
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);

async function httpEnqueue(): Promise<Row> {
  const web = await startWeb({ config, orm, producer, log }, 0);
  const result = await autocannon({
    url: `http://127.0.0.1:${web.port}/v1/audit-events`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.SERVICE_API_KEYS[0]}` },
    body: JSON.stringify({ event_type: 'bench', event_category: 'system', severity: 'info', event_data: { n: 1 } }),
  });
  await web.stop();
  return {
    path: 'HTTP POST /v1/audit-events (outbox + relay)',
    'ops/s': round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function rawAdd(queue: Queue): Promise<Row> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await queue.add('bench', payload);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => round(latencies[Math.floor(latencies.length * p)] ?? 0, 1);
  return { path: `raw Queue.add × ${CONNECTIONS} loops`, 'ops/s': round(latencies.length / SECONDS), 'p50 ms': pct(0.5), 'p99 ms': pct(0.99), errors: 0 };
}

async function rawAddBulk(queue: Queue): Promise<Row> {
  let added = 0;
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    await queue.addBulk(Array.from({ length: 100 }, () => ({ name: 'bench', data: payload })));
    added += 100;
  }
  return { path: 'raw addBulk (100 per call)', 'ops/s': round(added / SECONDS), 'p50 ms': '-', 'p99 ms': '-', errors: 0 };
}

const noop = defineJob({ name: 'bench-noop', schema: z.object({ n: z.number() }), options: { removeOnComplete: true }, durable: false });

/** Fills a queue with PROCESS_JOBS jobs, then times how long `start` takes to drain it. */
async function drain(name: string, start: (queueName: string) => { close(): Promise<unknown> }): Promise<Row> {
  const queue = new Queue(name, { connection: producer.connection, prefix: config.REDIS_PREFIX });
  for (let i = 0; i < PROCESS_JOBS; i += 500) {
    await queue.addBulk(Array.from({ length: 500 }, (_, j) => ({ name, data: { n: i + j }, opts: { removeOnComplete: true } })));
  }
  const t = performance.now();
  const worker = start(name);
  while ((await queue.getJobCountByTypes('waiting', 'active', 'prioritized')) > 0) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  return { processor: name, 'jobs/s': round(PROCESS_JOBS / seconds) };
}

try {
  const rawQueue = new Queue('bench-raw', { connection: producer.connection, prefix: config.REDIS_PREFIX });
  const enqueue = [await httpEnqueue(), await rawAdd(rawQueue), await rawAddBulk(rawQueue)];
  await rawQueue.obliterate({ force: true });
  const ratio = round((Number(enqueue[0]!['ops/s']) / Number(enqueue[1]!['ops/s'])) * 100);
  enqueue.push({ path: 'HTTP / raw Queue.add', 'ops/s': `${ratio}% (target ≥ 50%)`, 'p50 ms': '', 'p99 ms': `target < 50`, errors: '' });

  const concurrency = config.WORKER_CONCURRENCY * 4;
  const bare = await drain('bench-bare', (q) => new Worker(q, async () => undefined, { connection: workerConnection(config.REDIS_URL), prefix: config.REDIS_PREFIX, concurrency }));
  const runtime = await drain(noop.name, () =>
    startWorkerRuntime({
      orm, producer, log, redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, concurrency,
      registrations: [register(noop, async () => undefined)],
    }) as unknown as { close(): Promise<unknown> },
  );
  const overhead = round((1 - Number(runtime['jobs/s']) / Number(bare['jobs/s'])) * 100);
  const processing = [bare, runtime, { processor: `runtime overhead (concurrency ${concurrency})`, 'jobs/s': `${overhead}% (target ≤ 15%)` }];

  printTable(`Enqueue, ${CONNECTIONS} concurrent, ${SECONDS} s each`, enqueue);
  printTable(`No-op processing of ${PROCESS_JOBS} jobs`, processing);
  saveResults('enqueue', { [`Enqueue (${CONNECTIONS} concurrent, ${SECONDS} s each)`]: enqueue, [`No-op processing of ${PROCESS_JOBS} jobs`]: processing });
} finally {
  await producer.close();
  producer.connection.disconnect();
  await env.dispose();
  process.exit(0); // BullMQ workers keep their (handed-in) connections open; the figures are written
}
