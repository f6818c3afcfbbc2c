// Once per test run: a database of its own (migrated from the checked-in migrations) and a Redis key
// prefix of its own, so parallel runs never collide. Both are removed at the end.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { initOrm } from '../../src/db/orm.ts';
import { adminDatabaseUrl, TEST_REDIS_URL } from './constants.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `hearth_test_${runId}`;
  const databaseUrl = adminDatabaseUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const redisPrefix = `hearth-test-${runId}`;

  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();

  const orm = await initOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 });
  await orm.migrator.up();
  await orm.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisPrefix', redisPrefix);

  return async () => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl });
    await client.connect();
    await client.query(`drop database if exists "${dbName}" with (force)`);
    await client.end();
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    await redis.connect();
    await deleteKeys(redis, `${redisPrefix}*`);
    await redis.quit();
  };
}

/** Deletes every key matching `pattern` (SCAN + UNLINK; also used by the benchmarks' cleanup). */
export async function deleteKeys(redis: Redis, pattern: string) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
