// Shared plumbing for the benchmarks: a database and Redis prefix of their own, a table printer, and
// results written as JSON (bench/results/<name>.json).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteKeys } from '../test/support/global-setup.ts';
import { loadConfig, type Config } from '../src/config.ts';

// Benchmarks and chaos scenarios run on the test defaults (their processes inherit this): a deployment's secrets
// are not theirs to need.
process.env.NODE_ENV ??= 'test';
import { initOrm, type Orm } from '../src/db/orm.ts';

const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RESULTS_DIR = new URL('./results/', import.meta.url);

export interface BenchEnv {
  config: Config;
  orm: Orm;
  dispose(): Promise<void>;
}

/** A fresh migrated database and a unique Redis prefix; dispose() drops the database. */
export async function benchEnv(name: string, env: Record<string, string> = {}): Promise<BenchEnv> {
  const id = `${name.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "hearth_bench_${id}"`);
  await admin.end();
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/hearth_bench_${id}`),
    DATABASE_POOL_MAX: '20',
    REDIS_PREFIX: `hearth-bench-${id}`,
    SERVICE_API_KEYS: 'bench-service-key-0123456789abcdef',
    ...env,
  });
  const orm = await initOrm(config);
  await orm.migrator.up();
  return {
    config,
    orm,
    async dispose() {
      await orm.close();
      // Leave nothing behind in Redis either: every key under this run's prefix. A Redis that is gone (a
      // chaos scenario stopped it) is reported, not retried forever, and the database is dropped anyway.
      const redis = new Redis(config.REDIS_URL, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        await deleteKeys(redis, `${config.REDIS_PREFIX}*`);
      } catch (err) {
        console.warn(`bench: could not delete the Redis keys ${config.REDIS_PREFIX}*: ${(err as Error).message}`);
      } finally {
        redis.disconnect();
      }
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "hearth_bench_${id}" with (force)`);
      await c.end();
    },
  };
}

export type Row = Record<string, string | number>;

/** One headline figure: printed as `» {"label","value"}`, collected by bench/index.ts into RESULTS.md's summary. */
export function headline(label: string, value: string | number): void {
  console.log(`» ${JSON.stringify({ label, value: String(value) })}`);
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.table(rows);
}

/** Writes the figures as JSON (bench/results/<name>.json) for tools; bench/index.ts writes RESULTS.md. */
export function saveResults(name: string, sections: Record<string, Row[]>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    new URL(`${name}.json`, RESULTS_DIR),
    `${JSON.stringify({ name, date: new Date().toISOString(), machine: machineLine(), sections }, null, 2)}\n`,
  );
}

export const machineLine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`;

export const round = (n: number, digits = 0) => Number(n.toFixed(digits));
