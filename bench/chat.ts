// `npm run bench:chat`: (1) messages/s through the whole path with the local providers: POST message →
// outbox → BullMQ → memory-extraction worker (crisis, PII, extraction, embeddings, consolidation) → rows;
// (2) GET /v1/memories?query= latency for a user with 5,000 memories (cold first query, then warm p50/p99).
// Runs against a scratch database and Redis key prefix of its own, both removed at the end.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { headline } from './support.ts';
import { loadConfig } from '../src/config.ts';
import { initOrm } from '../src/db/orm.ts';
import { createApp } from '../src/api/app.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { registrations } from '../src/workers/processors.ts';
import { User } from '../src/entities/user.entity.ts';
import { Message } from '../src/entities/message.entity.ts';
import { MemoryItem } from '../src/entities/memory-item.entity.ts';
import { HASH_EMBEDDING_NAME, localEmbedding } from '../src/domain/embedding.ts';
import { vectorColumns } from '../src/domain/quantized.ts';
import { MEMORY_TYPES } from '../src/domain/enums.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 400);
const MEMORIES = 5_000;
const QUERIES = 200;
const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runId = randomBytes(4).toString('hex');
const dbName = `hearth_bench_chat_${runId}`;
const secret = 'bench-jwt-secret-bench-jwt-secret-0123456789';

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${dbName}"`);
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: adminUrl.replace(/\/[^/]*$/, `/${dbName}`),
  REDIS_PREFIX: `hearth-bench-${runId}`,
  SUPABASE_JWT_SECRET: secret,
  // This bench's figures are for the word-hash embedder; bench/memory-search.ts measures the sentence model.
  EMBEDDING_PROVIDER: 'hash',
});
const orm = await initOrm(config);
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
const log = createLogger('silent');
const app = createApp({ config, orm, producer, log });
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const rows: Record<string, string | number>[] = [];

try {
  await orm.migrator.up();
  const token = async (sub: string) =>
    new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
  const mkUser = async () => {
    const em = orm.em.fork();
    const user = em.create(User, { id: randomUUID(), email: `bench-${randomUUID()}@example.test` });
    await em.flush();
    return {
      id: user.id,
      auth: { authorization: `Bearer ${await token(user.id)}`, 'content-type': 'application/json' },
    };
  };

  // 1. Throughput: post MESSAGES labelled chat lines (a mix of PII, crisis, memory-worthy, chit-chat).
  const texts: string[] = readFileSync(new URL('../eval/messages.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).text);
  const user = await mkUser();
  const conv = await (
    await app.request('/v1/conversations', { method: 'POST', headers: user.auth, body: '{}' })
  ).json();
  const runtime = startWorkerRuntime({
    orm,
    producer,
    log,
    registrations,
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    concurrency: 4,
  });
  const started = performance.now();
  const posted: number[] = [];
  for (let i = 0; i < MESSAGES; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, MESSAGES - i) }, async (_, j) => {
        const t0 = performance.now();
        const res = await app.request(`/v1/conversations/${conv.id}/messages`, {
          method: 'POST',
          headers: user.auth,
          body: JSON.stringify({ content: `${texts[(i + j) % texts.length]} (${i + j})`, role: 'user' }),
        });
        if (res.status !== 202) throw new Error(`POST message: ${res.status}`);
        posted.push(performance.now() - t0);
      }),
    );
  }
  const accepted = performance.now() - started;
  for (;;) {
    const done = await orm.em.fork().count(Message, { conversation: conv.id, memoryExtracted: true });
    if (done >= MESSAGES) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const total = performance.now() - started;
  await runtime.close(5_000);
  rows.push({
    measure: `POST message (${MESSAGES}, 10 in flight)`,
    value: `p50 ${pct(posted, 50).toFixed(1)} ms, p99 ${pct(posted, 99).toFixed(1)} ms`,
  });
  rows.push({ measure: 'accepted by the API', value: `${((MESSAGES / accepted) * 1000).toFixed(0)} messages/s` });
  rows.push({
    measure: 'API → extraction → rows (4 worker slots)',
    value: `${((MESSAGES / total) * 1000).toFixed(0)} messages/s`,
  });

  // 2. Retrieval at 5,000 memories.
  const reader = await mkUser();
  const words =
    'hiking sister anxiety work coffee sleep running Denver therapy music garden exams dog grandma baking'.split(' ');
  for (let i = 0; i < MEMORIES; i += 500) {
    const em = orm.em.fork();
    for (let j = i; j < i + 500; j++) {
      const content = `memory ${j}: ${words[j % words.length]} and ${words[(j * 7) % words.length]} ${j % 3 ? 'on weekends' : 'after work'}`;
      em.create(MemoryItem, {
        user: reader.id,
        content,
        memoryType: MEMORY_TYPES[j % MEMORY_TYPES.length]!,
        compositeScore: (j % 100) / 100,
        ...vectorColumns(HASH_EMBEDDING_NAME, localEmbedding(content)),
      });
    }
    await em.flush();
  }
  const get = async (q: string) => {
    const t0 = performance.now();
    const res = await app.request(`/v1/memories?query=${encodeURIComponent(q)}&limit=10`, { headers: reader.auth });
    if (res.status !== 200) throw new Error(`GET memories: ${res.status}`);
    await res.json();
    return performance.now() - t0;
  };
  const cold = await get('hiking with my sister');
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++)
    latencies.push(await get(`${words[i % words.length]} ${words[(i * 3) % words.length]}`));
  rows.push({
    measure: `GET /v1/memories?query= at ${MEMORIES} memories, cold (loads vectors)`,
    value: `${cold.toFixed(1)} ms`,
  });
  rows.push({
    measure: `GET /v1/memories?query= at ${MEMORIES} memories, warm (${QUERIES} queries)`,
    value: `p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`,
  });
  console.table(rows);
  for (const r of rows.slice(1, 3)) headline(String(r.measure), r.value!);
  headline(String(rows[4]!.measure), rows[4]!.value!);
} finally {
  await producer.close();
  const redis = new Redis(config.REDIS_URL);
  const keys = await redis.keys(`${config.REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  producer.connection.disconnect();
  await orm.close();
  await admin.query(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
}
