// Local convenience for `npm start`: creates the configured database when the server has none by that name.
import pg from 'pg';
import type { Logger } from '../lib/logger.ts';

export async function ensureDatabase(databaseUrl: string, log: Logger): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.href, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      log.info({ database: name }, 'created the local database');
    }
  } finally {
    await client.end();
  }
}
