import { spawn } from 'node:child_process';
import { freePort } from '../../test/support/redis-server.ts';
import { ADMIN_TOKEN, auditInvariant, auditLoad, chaosEnv, sleep, stopAll, track, type Outcome } from '../support.ts';

// 2. Redis stopped for CHAOS_REDIS_DOWN_S (30 s) during load: durable requests 202, others 503 fast; then everything drains.
export async function redisOutage(): Promise<Outcome> {
  const downSeconds = Number(process.env.CHAOS_REDIS_DOWN_S ?? 30);
  const redisPort = await freePort();
  const dir = `/tmp/hearth-chaos-redis-${redisPort}`;
  // Persistence on: the outbox covers Redis being away, not Redis forgetting (production Redis must persist).
  const startRedis = () =>
    track(
      spawn(
        'redis-server',
        [
          '--port',
          String(redisPort),
          '--bind',
          '127.0.0.1',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          '/tmp',
          '--appendfilename',
          `chaos-${redisPort}.aof`,
          '--appenddirname',
          `hearth-chaos-${redisPort}`,
          '--save',
          '',
        ],
        { stdio: 'ignore' },
      ),
    );
  let redis = startRedis();
  await sleep(500);
  const env = await chaosEnv('redis', { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  const procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
  const port = procs[0]!.port!;
  try {
    const load = auditLoad(() => port, 600, { concurrency: 4 });
    await sleep(1_000);
    redis.kill('SIGTERM');
    await new Promise((r) => redis.once('exit', r));
    await sleep(1_000);
    const t = performance.now();
    const direct = await fetch(`http://127.0.0.1:${port}/admin/api/engagement/recompute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const directMs = Math.round(performance.now() - t);
    const during = await auditLoad(() => port, 50, { concurrency: 5, tag: 'during-outage' });
    await sleep(Math.max(0, downSeconds * 1000 - 2_000));
    redis = startRedis();
    const before = await load;
    const check = await auditInvariant(
      env,
      {
        accepted: [...before.accepted, ...during.accepted],
        statuses: { 0: (before.statuses[0] ?? 0) + (during.statuses[0] ?? 0) },
      },
      90_000,
    );
    return {
      ok: direct.status === 503 && directMs < 1_000 && during.accepted.length === 50 && check.held,
      nonDurableStatus: direct.status,
      nonDurableMs: directMs,
      durableAcceptedDuringOutage: during.accepted.length,
      ...check,
    };
  } finally {
    await stopAll(procs);
    await env.dispose(); // while its Redis still runs, so its keys go too
    if (redis.exitCode === null && redis.signalCode === null) {
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
    }
    spawn('rm', ['-rf', dir, `/tmp/hearth-chaos-${redisPort}`]);
  }
}
