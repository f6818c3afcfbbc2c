// Local convenience for `npm start` outside production: creates the configured database when the server has
// none by that name (over the same SSL settings as every other connection).
import pg from 'pg';
import type { Logger } from '../lib/logger.ts';
import { pgClientOptions, type DatabaseSslSettings } from './ssl.ts';

export async function ensureDatabase(settings: DatabaseSslSettings, log: Logger): Promise<void> {
  const name = decodeURIComponent(new URL(settings.DATABASE_URL).pathname.slice(1));
  if (!name) return;
  const client = new pg.Client({ ...pgClientOptions(settings, 'postgres'), connectionTimeoutMillis: 3_000 });
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
