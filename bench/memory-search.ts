// `npm run bench -- memory-search`: GET /v1/memories?query= through the app at 5,000 memories of one user,
// with the default sentence model — a user's first search in an API process (its index is built: one query
// reading the compact vectors) and warm searches (the index is reused after a one-row version check).
// Each first search is timed in a fresh app (a new per-process index); the sentence model is loaded once
// beforehand (a process start cost, not a per-user one). Targets (issue 15): first < 150 ms, warm p99 < 50 ms.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createApp } from '../src/api/app.ts';
import { MEMORY_TYPES } from '../src/domain/enums.ts';
import { embeddingText } from '../src/domain/memory-tags.ts';
import { vectorColumns } from '../src/domain/quantized.ts';
import { MemoryItem } from '../src/entities/memory-item.entity.ts';
import { User } from '../src/entities/user.entity.ts';
import { createLogger } from '../src/lib/logger.ts';
import { sentenceEncoder, SENTENCE_MODEL_NAME } from '../src/ml/sentence-encoder.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { benchEnv, headline, printTable, round } from './support.ts';

const MEMORIES = Number(process.env.BENCH_MEMORIES ?? 5_000);
const DISTINCT = 500; // distinct sentences embedded; the rest reuse their vectors (the cost measured is reading, not embedding)
const WARM = 200;
const COLD = 5;
const secret = 'bench-jwt-secret-bench-jwt-secret-0123456789';

const subjects = ['I', 'My sister', 'My partner', 'My friend Sam', 'My dad', 'My colleague'];
const verbs = ['love', 'hate', 'often think about', 'worry about', 'dream of', 'spend time on'];
const objects =
  'hiking,baking bread,the night shift,our old dog,exams,the garden,swimming,the piano,Leeds,my health,coffee,sleep,running,football,my grandmother,the allotment,painting,money,the commute,church'.split(
    ',',
  );
const texts = Array.from(
  { length: DISTINCT },
  (_, i) =>
    `${subjects[i % subjects.length]} ${verbs[Math.floor(i / subjects.length) % verbs.length]} ${objects[i % objects.length]} (${i}).`,
);
const queries = ['What do I do for fun?', 'Who is in my family?', 'How do I sleep?', 'Do I have pets?', 'Leeds'];

const env = await benchEnv('memory_search', { SUPABASE_JWT_SECRET: secret });
const producer = new Producer(producerConnection(env.config.REDIS_URL), env.config.REDIS_PREFIX);
const log = createLogger('silent');
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
try {
  const encoder = sentenceEncoder();
  const vectors = [];
  for (let i = 0; i < texts.length; i += 64)
    vectors.push(...(await encoder.embed(texts.slice(i, i + 64).map((t) => embeddingText(t, ['other'])))));
  const em = env.orm.em.fork();
  const user = em.create(User, { id: randomUUID(), email: `bench-${randomUUID()}@example.test` });
  await em.flush();
  for (let i = 0; i < MEMORIES; i += 500) {
    const batch = env.orm.em.fork();
    for (let j = i; j < Math.min(MEMORIES, i + 500); j++)
      batch.create(MemoryItem, {
        user: user.id,
        content: texts[j % DISTINCT]!,
        memoryType: MEMORY_TYPES[j % MEMORY_TYPES.length]!,
        compositeScore: (j % 100) / 100,
        tags: ['other'],
        ...vectorColumns(SENTENCE_MODEL_NAME, vectors[j % DISTINCT]!),
      });
    await batch.flush();
  }
  await env.orm.em.getConnection().execute('analyze memory_items');
  const auth = {
    authorization: `Bearer ${await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret))}`,
  };
  const get = async (app: ReturnType<typeof createApp>, q: string) => {
    const t0 = performance.now();
    const res = await app.request(`/v1/memories?query=${encodeURIComponent(q)}&limit=10`, { headers: auth });
    if (res.status !== 200) throw new Error(`GET memories: ${res.status}`);
    const { memories } = (await res.json()) as { memories: unknown[] };
    if (memories.length === 0) throw new Error('GET memories: empty answer');
    return performance.now() - t0;
  };
  await encoder.embed(['warm the model up']);
  const cold: number[] = [];
  for (let i = 0; i < COLD; i++)
    cold.push(await get(createApp({ config: env.config, orm: env.orm, producer, log }), queries[i % queries.length]!));
  const app = createApp({ config: env.config, orm: env.orm, producer, log });
  await get(app, 'warm-up');
  const warm: number[] = [];
  for (let i = 0; i < WARM; i++) warm.push(await get(app, queries[i % queries.length]!));
  const rows = [
    {
      measure: `first search of a user (new index), ${MEMORIES} memories, ${COLD} runs`,
      p50: `${round(pct(cold, 50), 1)} ms`,
      max: `${round(Math.max(...cold), 1)} ms`,
      target: '< 150 ms',
    },
    {
      measure: `warm search, ${MEMORIES} memories, ${WARM} queries`,
      p50: `${round(pct(warm, 50), 1)} ms`,
      max: `p99 ${round(pct(warm, 99), 1)} ms`,
      target: 'p99 < 50 ms',
    },
  ];
  printTable('GET /v1/memories?query= with the sentence model', rows);
  headline(`memory search, first of a user at ${MEMORIES} (max of ${COLD})`, `${round(Math.max(...cold), 1)} ms`);
  headline(`memory search, warm p99 at ${MEMORIES}`, `${round(pct(warm, 99), 1)} ms`);
  await encoder.close();
} finally {
  await producer.close();
  producer.connection.disconnect();
  await env.dispose();
}
