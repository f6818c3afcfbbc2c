// Gives a pool slot back when the connection of a checked-out client dies. Kysely 0.29 (under MikroORM 7)
// releases a transaction's client only after its COMMIT or ROLLBACK succeeds (kysely-org/kysely#1990): when
// PostgreSQL terminates the backend mid-transaction, the ROLLBACK fails too and the client is never released.
// Each such outage then shrinks the pool for good, until every caller waits forever on pool.connect()
// (the chaos run postgres-outage: the clock's outbox relay stopped relaying; test/queues/outbox-relay-pg-outage).
import type { Pool, PoolClient } from 'pg';

type Release = (err?: Error | boolean) => void;

export function guardCheckedOutClients(pool: Pool): void {
  pool.on('acquire', (client: PoolClient) => {
    // pg-pool emits 'acquire' just before it sets client.release, and hands the client out after: a
    // microtask queued now runs in between.
    queueMicrotask(() => {
      const release: Release = client.release;
      let released = false;
      const releaseOnce: Release = (err) => {
        client.removeListener('end', onEnd);
        if (released) return;
        released = true;
        release(err);
      };
      // With the error, pg-pool drops the dead client and opens a new one for the next caller.
      const onEnd = () => releaseOnce(new Error('connection ended while checked out'));
      client.once('end', onEnd);
      client.release = releaseOnce;
    });
  });
}
