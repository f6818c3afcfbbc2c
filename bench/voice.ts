// Webhook ingest benchmark: autocannon against a started API (`node src/main.ts web`, its own process, as
// in production) posting unique, authenticated Vapi status-updates with a transcript, as Vapi sends them;
// then the vapi-webhook workers drain the backlog.
// Prints events/s accepted, ack latency percentiles, and events/s processed.
// Run: node_modules/.bin/node bench/voice.ts   (a scratch database and Redis prefix, removed at the end)
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { headline } from './support.ts';
import { loadConfig } from '../src/config.ts';
import { initOrm } from '../src/db/orm.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { startWorkerRuntime } from '../src/workers/runtime.ts';
import { vapiWebhookRegistration } from '../src/workers/vapi-webhook.ts';
import { voiceDeps } from '../src/workers/voice-deps.ts';
import { User } from '../src/entities/user.entity.ts';
import { Voice } from '../src/entities/voice.entity.ts';
import { VoiceCall } from '../src/entities/voice-call.entity.ts';
import { deleteKeys } from '../test/support/global-setup.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CALLS = 200;
const SECRET = 'bench-webhook-secret-0123456789';
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const dbName = `hearth_bench_voice_${runId}`;
const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

await admin(`create database "${dbName}"`);
const env = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_MAX: '20',
  REDIS_PREFIX: `hearth-bench-voice-${runId}`,
  VAPI_WEBHOOK_SECRET: SECRET,
  VAPI_API_KEY: 'unused',
  VAPI_BASE_URL: 'http://127.0.0.1:9',
};
const config = loadConfig(env);
const orm = await initOrm(config);
const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
const log = createLogger('silent');
try {
  await orm.migrator.up();
  const vapiIds = await seedCalls();
  const web = await startWebProcess();

  // What this machine gives any route right now (shared cores): the ceiling the webhook figures sit under.
  const baseline = await autocannon({
    url: `http://127.0.0.1:${web.port}/healthz`,
    connections: CONNECTIONS,
    duration: 5,
  });

  const transcript = 'User: '.concat('I have been thinking about the week. '.repeat(40));
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${web.port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/vapi',
        headers: { 'content-type': 'application/json', 'x-vapi-secret': SECRET },
        setupRequest: (req) => {
          n += 1;
          const status = ['ringing', 'in-progress', 'ended'][n % 3];
          const call = {
            id: vapiIds[n % vapiIds.length],
            status,
            artifact: { transcript, messages: [{ role: 'user', message: transcript }] },
          };
          return {
            ...req,
            body: JSON.stringify({ message: { type: 'status-update', status, timestamp: Date.now() + n, call } }),
          };
        },
      },
    ],
  });
  await web.stop();
  const accepted = result['2xx'];
  const stored = Number(
    (await orm.em.fork().getConnection().execute('select count(*)::int as n from webhook_events'))[0]!.n,
  );

  // Drain: the fast-path relay already put the jobs in Redis; the workers apply them.
  const started = performance.now();
  const workers = startWorkerRuntime({
    orm,
    producer,
    log,
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    concurrency: 20,
    registrations: [vapiWebhookRegistration(() => voiceDeps(config))],
  });
  let pending = stored;
  while (pending > 0 && performance.now() - started < 90_000) {
    await new Promise((r) => setTimeout(r, 250));
    pending = Number(
      (
        await orm.em
          .fork()
          .getConnection()
          .execute(`select count(*)::int as n from webhook_events where processing_status in ('pending', 'processing')`)
      )[0]!.n,
    );
  }
  const drainS = (performance.now() - started) / 1000;
  await workers.close(5_000);

  const rows = [
    ['baseline GET /healthz req/s', Math.round(baseline.requests.average)],
    ['baseline /healthz p99 (ms)', baseline.latency.p99],
    ['duration (s)', DURATION_S],
    ['connections', CONNECTIONS],
    ['requests sent', result.requests.total],
    ['accepted (2xx)', accepted],
    ['non-2xx / errors / timeouts', `${result.non2xx} / ${result.errors} / ${result.timeouts}`],
    ['events stored', stored],
    ['accepted events/s', Math.round(accepted / DURATION_S)],
    ['ack latency p50 (ms)', result.latency.p50],
    ['ack latency p99 (ms)', result.latency.p99],
    ['ack latency max (ms)', result.latency.max],
    ['processed events', stored - pending],
    ['processed events/s (drain)', Math.round((stored - pending) / drainS)],
  ];
  headline(
    `Vapi webhook ingest (${CONNECTIONS} connections)`,
    `${Math.round(accepted / DURATION_S)} accepted events/s, ack p99 ${result.latency.p99} ms; drained ${Math.round((stored - pending) / drainS)} events/s`,
  );
  console.log('\nvoice webhook ingest');
  for (const [k, v] of rows) console.log(`${String(k).padEnd(30)} ${v}`);
  console.log(
    `target: >= 2000 accepted events/s, p99 < 50 ms -> ${accepted / DURATION_S >= 2000 && result.latency.p99 < 50 ? 'met' : 'NOT met'}`,
  );
} finally {
  await producer.close();
  producer.connection.disconnect();
  await orm.close();
  await admin(`drop database if exists "${dbName}" with (force)`);
  await dropRedisKeys(`${config.REDIS_PREFIX}*`);
}

/** The API as its own process on a free port, ready when /healthz answers. */
async function startWebProcess() {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(process.execPath, ['src/main.ts', 'web'], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 200) throw new Error('the API did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Calls the status-updates refer to, so processing does the real work (lock, update), not a skip. */
async function seedCalls(): Promise<string[]> {
  const em = orm.em.fork();
  const voice = em.create(Voice, { name: 'Bench', assistantId: `asst_bench_${runId}` });
  const ids: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const user = em.create(User, { id: randomUUID() });
    const vapiCallId = randomUUID();
    em.create(VoiceCall, {
      user,
      voice,
      channel: 'outbound_phone',
      phoneNumber: '+15555550100',
      vapiCallId,
      status: 'queued',
    });
    ids.push(vapiCallId);
  }
  await em.flush();
  return ids;
}

async function dropRedisKeys(pattern: string) {
  const redis = new Redis(config.REDIS_URL);
  await deleteKeys(redis, pattern);
  await redis.quit();
}
