// A migrated database of the test's own, for tests whose subject is the whole users table (reconciliation
// treats every local user as its business, so it must not see other test files' users).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { initOrm } from '../../src/db/orm.ts';
import { adminDatabaseUrl } from './constants.ts';

/** Runs one statement on the maintenance database (create/drop database). */
export async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createOwnDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hearth_${label}_${randomBytes(4).toString('hex')}`;
  await admin(`create database "${name}"`);
  const url = adminDatabaseUrl.replace(/\/[^/]*$/, `/${name}`);
  const orm = await initOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: 2 });
  await orm.migrator.up();
  await orm.close();
  return { url, drop: () => admin(`drop database if exists "${name}" with (force)`) };
}
