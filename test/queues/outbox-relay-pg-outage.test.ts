// The polling relay outlives a PostgreSQL outage: while every backend of its database is being terminated,
// requests that commit their outbox row but miss the fast path leave it pending; once the database is back
// the relay's next polls must relay every such row, on the same pool (no restart). The chaos run
// postgres-outage found rows left pending for good ("Client has encountered a connection error and is not
// queryable" on every poll).
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Payload } from '../../src/queues/define-job.ts';
import { enqueueInTransaction } from '../../src/queues/producer.ts';
import { auditEvent } from '../../src/queues/audit-event.ts';
import { startOutboxRelay } from '../../src/queues/outbox-relay.ts';
import { adminDatabaseUrl } from '../support/constants.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';

let db: Awaited<ReturnType<typeof createOwnDatabase>>;
let platform: TestPlatform;

beforeAll(async () => {
  db = await createOwnDatabase('relay_outage');
  platform = await createTestPlatform({ DATABASE_URL: db.url, DATABASE_POOL_MAX: '3' });
});

afterAll(async () => {
  await platform?.close();
  await db?.drop();
});

const event = (type: string): Payload<typeof auditEvent> => ({
  user_id: null,
  event_type: type,
  event_category: 'system',
  severity: 'info',
  event_data: {},
  request_id: null,
});

const pending = async () =>
  Number(
    (
      await platform.orm.em
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from outbox_jobs where enqueued_at is null')
    )[0]!.n,
  );

it('relays the rows left pending by an outage once PostgreSQL is back', async () => {
  const relay = startOutboxRelay({
    em: platform.orm.em,
    producer: platform.producer,
    log: platform.log,
    intervalMs: 50,
    batchSize: 10,
  });
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  const dbName = new URL(db.url).pathname.slice(1);
  let written = 0;
  try {
    // Terminate the database's backends for 3 s, as the relay polls and as rows are written between kills.
    const until = Date.now() + 3_000;
    let killed = 0;
    while (Date.now() < until) {
      const r = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [dbName],
      );
      killed += r.rowCount ?? 0;
      const em = platform.orm.em.fork();
      enqueueInTransaction(em, auditEvent, event('during_outage'));
      await em
        .flush()
        .then(() => written++)
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(killed).toBeGreaterThan(0);
    // After the outage: rows written now, and those written during it, all reach Redis.
    for (let i = 0; i < 5; i++) {
      const em = platform.orm.em.fork();
      enqueueInTransaction(em, auditEvent, event('after_outage'));
      await eventually(() => em.flush().then(() => true), 5_000);
      written++;
    }
    await eventually(async () => (await pending()) === 0, 15_000);
    // Each committed row became one job (no worker runs here: they wait).
    expect(await platform.producer.queue(auditEvent).getWaitingCount()).toBe(written);
  } finally {
    await admin.end();
    await relay.stop();
  }
});
