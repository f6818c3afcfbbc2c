// /readyz tells the truth a platform's router needs: not ready while the release has not migrated the
// schema (every write would fail), nor while Redis refuses new connections (a worker then processes
// nothing); Redis's eviction policy is shown, not failed on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestPlatform, type TestPlatform, uniquePrefix } from '../support/platform.ts';
import { startMain } from '../support/main-process.ts';
import { OwnRedis } from '../support/redis-server.ts';
import { admin } from '../support/own-database.ts';
import { adminDatabaseUrl } from '../support/constants.ts';

const redis = new OwnRedis();
let platform: TestPlatform;
let control: Redis;
beforeAll(async () => {
  await redis.start();
  platform = await createTestPlatform({ REDIS_URL: redis.url });
  control = new Redis(redis.url);
});
afterAll(async () => {
  control?.disconnect();
  await platform?.close();
  await redis.stop();
});

const readyz = async (p: TestPlatform) => {
  const res = await p.app.request('/readyz');
  return { status: res.status, body: await res.json() };
};

it('answers 503 while migrations are pending, then 200 once the release has run', async () => {
  const name = `hearth_unmigrated_${Date.now().toString(36)}`;
  await admin(`create database "${name}"`);
  const fresh = await createTestPlatform({
    REDIS_URL: redis.url,
    DATABASE_URL: adminDatabaseUrl.replace(/\/[^/]*$/, `/${name}`),
  });
  try {
    const before = await readyz(fresh);
    expect(before.status).toBe(503);
    expect(before.body.checks).toMatchObject({
      postgres: 'ok',
      redis: 'ok',
      migrations: 'pending',
    });
    // The probe only reads: it created nothing (the release does).
    const [row] = await fresh.orm.em.execute("select to_regclass('mikro_orm_migrations') as t");
    expect(row?.t).toBeNull();
    await fresh.orm.migrator.up();
    expect((await readyz(fresh)).status).toBe(200);
  } finally {
    await fresh.close();
    await admin(`drop database if exists "${name}" with (force)`);
  }
});

it('answers 503 while Redis refuses new connections (maxclients reached), 200 again after', async () => {
  expect((await readyz(platform)).status).toBe(200);
  const clients = Number((await control.info('clients')).match(/connected_clients:(\d+)/)![1]);
  await control.config('SET', 'maxclients', String(clients));
  try {
    const full = await readyz(platform);
    expect(full.status).toBe(503);
    // Which dependency, never why (the reason is in the log).
    expect(full.body.checks.redis).toBe('failed');
    expect(JSON.stringify(full.body)).not.toMatch(/maxclients|refusing/);
  } finally {
    await control.config('SET', 'maxclients', '10000');
  }
  expect((await readyz(platform)).status).toBe(200);
});

it('shows an eviction policy other than noeviction as a warning, still ready; a process warns once', {
  timeout: 60_000,
}, async () => {
  await control.config('SET', 'maxmemory-policy', 'allkeys-lru');
  try {
    const res = await readyz(platform);
    expect(res.status).toBe(200);
    expect(res.body.checks.warnings).toEqual([
      expect.stringMatching(/maxmemory-policy is allkeys-lru: BullMQ needs noeviction/),
    ]);
    // BullMQ printed its own line once per Queue and Worker (18-36 times); now the boot check says it once.
    const proc = startMain(['web', 'worker', 'clock'], {
      ...process.env,
      LOG_LEVEL: 'info',
      PORT: '0',
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix(),
    });
    await proc.waitFor('hearth ready', 50_000);
    await new Promise((r) => setTimeout(r, 1_000)); // the Workers' own connection wrappers have checked by now
    expect((await proc.stop()).code).toBe(0);
    expect(proc.entries().filter((e) => String(e.msg).includes('maxmemory-policy is allkeys-lru'))).toHaveLength(1);
    expect(proc.stderr()).not.toMatch(/Eviction policy/);
  } finally {
    await control.config('SET', 'maxmemory-policy', 'noeviction');
  }
});
