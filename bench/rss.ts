// `npm run bench -- rss`: each Procfile role's peak resident memory (started from its Procfile line) under sustained load, and the Redis
// connections the three hold. web, worker and clock run as their own processes (`node src/main.ts <role>`,
// request logs on, as deployed) against a scratch database and Redis prefix; for BENCH_RSS_SECONDS (60)
// this process keeps BENCH_RSS_CONCURRENCY (16) requests in flight: chat messages (which the worker runs
// through memory extraction: crisis, PII, memories, embeddings) and audit events, one of each in turn.
// Peak = the kernel's VmHWM of each process at the end; the samples give the RSS it settled at.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { benchEnv, headline, printTable, saveResults } from './support.ts';
import { User } from '../src/entities/user.entity.ts';
import { readProcfile } from '../test/support/slug.ts';

const SECONDS = Number(process.env.BENCH_RSS_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_RSS_CONCURRENCY ?? 16);
const USERS = 20;
/** Each role's pool, as deployed (benchEnv's own ORM uses a bigger one). */
const POOL_MAX = process.env.DATABASE_POOL_MAX ?? '10';
const SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';
const SERVICE_KEY = 'bench-service-key-0123456789abcdef';

const env = await benchEnv('rss', { SUPABASE_JWT_SECRET: SECRET, SERVICE_API_KEYS: SERVICE_KEY });
const { config, orm } = env;
const freePort = async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
};
const port = await freePort();

function start(role: string): Promise<ChildProcess> {
  // The role's Procfile line (its Node flags included), with this Node.
  const [, ...args] = readProcfile()[role] ?? [];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATABASE_URL: config.DATABASE_URL,
      DATABASE_POOL_MAX: POOL_MAX,
      REDIS_URL: config.REDIS_URL,
      REDIS_PREFIX: config.REDIS_PREFIX,
      SUPABASE_JWT_SECRET: SECRET,
      SERVICE_API_KEYS: SERVICE_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let tail = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk).slice(-4096);
      if (tail.includes('"msg":"hearth ready"')) {
        tail = '';
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${role} exited ${code} before it was ready`)));
  });
}

const status = (pid: number, field: string) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))![1]) / 1024;

const roles = ['web', 'worker', 'clock'] as const;
const procs = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await start(r)] as const)));
const samples = Object.fromEntries(roles.map((r) => [r, [] as number[]]));
const sampler = setInterval(() => {
  for (const r of roles) samples[r]!.push(status(procs[r]!.pid!, 'VmRSS'));
}, 500);

try {
  const base = `http://127.0.0.1:${port}`;
  const texts: string[] = readFileSync(new URL('../eval/messages.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).text);
  const conversations = await Promise.all(
    Array.from({ length: USERS }, async () => {
      const em = orm.em.fork();
      const user = em.create(User, { id: randomUUID(), email: `bench-${randomUUID()}@example.test` });
      await em.flush();
      const token = await new SignJWT({ role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(SECRET));
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const res = await fetch(`${base}/v1/conversations`, { method: 'POST', headers, body: '{}' });
      if (res.status !== 201 && res.status !== 200) throw new Error(`POST /v1/conversations: ${res.status}`);
      return { id: ((await res.json()) as { id: string }).id, headers };
    }),
  );

  const deadline = Date.now() + SECONDS * 1000;
  const counts = { messages: 0, audit: 0, failed: 0 };
  let n = 0;
  let redisConnections = 0;
  const redis = new Redis(config.REDIS_URL);
  const countConnections = async () => {
    const list = (await redis.client('LIST')) as string;
    const ours = list.split('\n').filter((l) => l.includes(` name=${config.REDIS_PREFIX}:`));
    redisConnections = Math.max(redisConnections, ours.length);
  };
  const counter = setInterval(() => void countConnections().catch(() => {}), 2_000);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const i = n++;
        const chat = i % 2 === 0;
        const conv = conversations[i % conversations.length]!;
        const res = await fetch(chat ? `${base}/v1/conversations/${conv.id}/messages` : `${base}/v1/audit-events`, {
          method: 'POST',
          headers: chat ? conv.headers : { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(
            chat
              ? { role: 'user', content: texts[i % texts.length] }
              : { event_type: 'bench_rss', event_category: 'system', severity: 'info' },
          ),
        }).catch(() => null);
        if (res?.status === 202) counts[chat ? 'messages' : 'audit']++;
        else counts.failed++;
        await res?.body?.cancel();
      }
    }),
  );
  clearInterval(counter);
  await countConnections();
  redis.disconnect();

  const rows = roles.map((r) => {
    const s = [...samples[r]!].sort((a, b) => a - b);
    return {
      role: r,
      'peak RSS MB (VmHWM)': Math.round(status(procs[r]!.pid!, 'VmHWM')),
      'RSS p50 MB': Math.round(s[Math.floor(s.length / 2)] ?? 0),
      'RSS at end MB': Math.round(s.at(-1) ?? 0),
    };
  });
  printTable(
    `Peak RSS per role, ${SECONDS} s at ${CONCURRENCY} requests in flight: ${counts.messages} chat messages and ${counts.audit} audit events accepted, ${counts.failed} refused`,
    rows,
  );
  printTable('Redis connections held by web + worker + clock (most seen; CLIENT LIST, named by the processes)', [
    { processes: 'web + worker + clock', connections: redisConnections },
  ]);
  for (const row of rows) headline(`peak RSS ${row.role} under load (MB)`, row['peak RSS MB (VmHWM)']);
  headline('Redis connections, web + worker + clock', redisConnections);
  saveResults('rss', { rss: rows, connections: [{ redis: redisConnections }] });
} finally {
  clearInterval(sampler);
  await Promise.all(
    roles.map(
      (r) =>
        new Promise((resolve) => {
          procs[r]!.once('exit', resolve);
          procs[r]!.kill('SIGTERM');
        }),
    ),
  );
  await env.dispose();
}
