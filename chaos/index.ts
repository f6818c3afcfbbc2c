// `npm run chaos`: each scenario drives real Hearth processes against the machine's PostgreSQL and Redis
// (or a Redis of its own), with a bounded load, and ends with an invariant check over the database.
// Exit code 1 when any invariant fails. `npm run chaos -- kill9` runs only the named scenarios.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../test/support/redis-server.ts';
import { ADMIN_TOKEN, auditInvariant, auditLoad, chaosEnv, sleep, type HearthProcess } from './support.ts';

type Outcome = Record<string, string | number | boolean>;
const results: { scenario: string; ok: boolean; outcome: Outcome }[] = [];

async function scenario(name: string, run: () => Promise<{ ok: boolean } & Outcome>) {
  const wanted = process.argv.slice(2);
  if (wanted.length && !wanted.includes(name)) return;
  const t = performance.now();
  try {
    const outcome = await run();
    results.push({ scenario: name, ok: outcome.ok, outcome: { ...outcome, seconds: Math.round((performance.now() - t) / 100) / 10 } });
  } catch (err) {
    results.push({ scenario: name, ok: false, outcome: { error: (err as Error).message } });
  }
  console.log(JSON.stringify(results.at(-1)));
}

const stopAll = async (procs: HearthProcess[], signal: NodeJS.Signals = 'SIGTERM') => {
  for (const p of procs) p.proc.kill(signal);
  return Promise.all(procs.map((p) => p.exited));
};

// 1. kill -9 a worker in the middle of 1,000 jobs; restart it; the stalled jobs are recovered.
await scenario('kill9', async () => {
  const env = await chaosEnv('kill9');
  const [web, clock] = [await env.start('web'), await env.start('clock')];
  let worker = await env.start('worker');
  try {
    const load = auditLoad(() => web.port!, 1_000);
    await sleep(1_500);
    worker.proc.kill('SIGKILL');
    await worker.exited;
    worker = await env.start('worker');
    const { accepted } = await load;
    const check = await auditInvariant(env, accepted);
    return { ok: check.lost === 0 && check.accepted === 1_000, ...check };
  } finally {
    await stopAll([web, clock, worker]);
    await env.dispose();
  }
});

// 6. SIGTERM to every process during load (a deploy): each exits 0 within its grace; nothing is lost.
await scenario('deploy', async () => {
  const env = await chaosEnv('deploy');
  let procs = [await env.start('web'), await env.start('clock'), await env.start('worker'), await env.start('worker')];
  let port = procs[0]!.port!;
  try {
    const load = auditLoad(() => port, 1_500, 20);
    await sleep(1_500);
    const t = performance.now();
    const codes = await stopAll(procs);
    const stopSeconds = (performance.now() - t) / 1000;
    procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
    port = procs[0]!.port!;
    const { accepted, statuses } = await load;
    const check = await auditInvariant(env, accepted);
    const grace = Number(env.childEnv.SHUTDOWN_TIMEOUT_MS) / 1000 + 2;
    return { ok: codes.every((c) => c === 0) && stopSeconds < grace && check.lost === 0, exitCodes: codes.join(','), stopSeconds: Math.round(stopSeconds * 10) / 10, refusedDuringRestart: statuses[0] ?? 0, ...check };
  } finally {
    await stopAll(procs);
    await env.dispose();
  }
});

// Scale-out: two API processes, three workers and two clocks on one PostgreSQL and Redis; throughput adds
// up and the invariants hold (measured against one of each, same load).
await scenario('scale-out', async () => {
  const measure = async (webs: number, workers: number, clocks: number) => {
    const env = await chaosEnv(`scale_${webs}${workers}${clocks}`);
    const procs: HearthProcess[] = [];
    for (let i = 0; i < webs; i++) procs.push(await env.start('web'));
    for (let i = 0; i < clocks; i++) procs.push(await env.start('clock'));
    for (let i = 0; i < workers; i++) procs.push(await env.start('worker'));
    const ports = procs.filter((p) => p.role === 'web').map((p) => p.port!);
    let turn = 0;
    try {
      const t = performance.now();
      const { accepted } = await auditLoad(() => ports[turn++ % ports.length]!, 2_000, 40);
      const check = await auditInvariant(env, accepted);
      const seconds = (performance.now() - t) / 1000;
      return { perSecond: Math.round(accepted.length / seconds), ...check };
    } finally {
      await stopAll(procs);
      await env.dispose();
    }
  };
  const one = await measure(1, 1, 1);
  const many = await measure(2, 3, 2);
  return {
    ok: one.lost === 0 && many.lost === 0 && many.accepted === 2_000,
    single: `${one.perSecond}/s`, scaled: `${many.perSecond}/s (2 web, 3 workers, 2 clocks)`, lost: one.lost + many.lost, accepted: many.accepted,
  };
});

// 2. Redis stopped for CHAOS_REDIS_DOWN_S (30 s) during load: durable requests 202, others 503 fast; then everything drains.
await scenario('redis-outage', async () => {
  const downSeconds = Number(process.env.CHAOS_REDIS_DOWN_S ?? 30);
  const redisPort = await freePort();
  const dir = `/tmp/hearth-chaos-redis-${redisPort}`;
  // Persistence on: the outbox covers Redis being away, not Redis forgetting (production Redis must persist).
  const startRedis = () => spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', '/tmp', '--appendfilename', `chaos-${redisPort}.aof`, '--appenddirname', `hearth-chaos-${redisPort}`, '--save', ''], { stdio: 'ignore' });
  let redis = startRedis();
  await sleep(500);
  const env = await chaosEnv('redis', { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  const procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
  const port = procs[0]!.port!;
  try {
    const load = auditLoad(() => port, 600, 4);
    await sleep(1_000);
    redis.kill('SIGTERM');
    await new Promise((r) => redis.once('exit', r));
    await sleep(1_000);
    const t = performance.now();
    const direct = await fetch(`http://127.0.0.1:${port}/admin/api/engagement/recompute`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const directMs = Math.round(performance.now() - t);
    const during = await auditLoad(() => port, 50, 5, 'during-outage');
    await sleep(Math.max(0, downSeconds * 1000 - 2_000));
    redis = startRedis();
    const { accepted } = await load;
    const check = await auditInvariant(env, [...accepted, ...during.accepted], 90_000);
    return {
      ok: direct.status === 503 && directMs < 1_000 && during.accepted.length === 50 && check.lost === 0,
      nonDurableStatus: direct.status, nonDurableMs: directMs, durableAcceptedDuringOutage: during.accepted.length, ...check,
    };
  } finally {
    await stopAll(procs);
    redis.kill('SIGKILL');
    await env.dispose();
    spawn('rm', ['-rf', dir, `/tmp/hearth-chaos-${redisPort}`]);
  }
});

// 3. PostgreSQL connections refused/terminated for 20 s: jobs retry with backoff; invariants hold.
await scenario('postgres-outage', async () => {
  const env = await chaosEnv('pg');
  const procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
  const port = procs[0]!.port!;
  const dbName = new URL(env.config.DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: env.config.DATABASE_URL.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const load = auditLoad(() => port, 5_000, 10, 'chaos', 25_000);
    await sleep(1_000);
    const until = Date.now() + 20_000;
    let killed = 0;
    while (Date.now() < until) {
      const r = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName]);
      killed += r.rowCount ?? 0;
      await sleep(100);
    }
    const { accepted, statuses } = await load;
    await env.orm.em.getConnection().execute('select 1').catch(() => undefined); // the harness's own pool reconnects
    const check = await auditInvariant(env, accepted, 120_000);
    return { ok: check.lost === 0 && !statuses[500], backendsTerminated: killed, status503: statuses[503] ?? 0, status500: statuses[500] ?? 0, ...check };
  } finally {
    await admin.end();
    await stopAll(procs);
    await env.dispose();
  }
});

console.table(results.map((r) => ({ scenario: r.scenario, ok: r.ok, ...r.outcome })));
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
