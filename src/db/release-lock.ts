// Concurrent releases serialise on a PostgreSQL advisory lock: two deploys (or a deploy and a manual
// `npm run db:migrate`) each applied the same migrations at once, and one failed on a duplicate type.
// The second now waits, then finds nothing to do.
import pg from 'pg';
import { pgClientOptions, type DatabaseSslSettings } from './ssl.ts';

/** Any fixed 64-bit key; only Hearth's migration commands take it. */
const MIGRATIONS_LOCK_KEY = '7206359281764018330';

/**
 * Runs `work` while holding the migrations lock on a session of its own (the ORM's pool may switch
 * connections, an advisory lock belongs to one). `onWait` is called once when another holder makes us wait.
 */
export async function withMigrationsLock<T>(
  settings: DatabaseSslSettings,
  work: () => Promise<T>,
  onWait: () => void = () => {},
): Promise<T> {
  const client = new pg.Client({ ...pgClientOptions(settings), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a dropped session surfaces on the query that needs it
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      MIGRATIONS_LOCK_KEY,
    ]);
    if (!rows[0]!.ok) {
      onWait();
      await client.query('select pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    }
    return await work();
  } finally {
    // Ending the session releases the lock, whatever happened to `work`.
    await client.end().catch(() => {});
  }
}
