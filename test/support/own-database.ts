// A migrated database of a test file's own, for tests that claim "every due row" (the schedules clock)
// and must neither take nor be taken other files' rows. Drop it in afterAll.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { initOrm } from '../../src/db/orm.ts';
import { adminDatabaseUrl } from './constants.ts';

export async function createOwnDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${new URL(inject('databaseUrl')).pathname.slice(1)}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminDatabaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = adminDatabaseUrl.replace(/\/[^/]*$/, `/${name}`);
  const orm = await initOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: 2 });
  await orm.migrator.up();
  await orm.close();
  return { url, drop: () => admin(`drop database if exists "${name}" with (force)`) };
}
