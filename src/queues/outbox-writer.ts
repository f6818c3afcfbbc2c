// Durable enqueue with group commit (src/lib/group-commit.ts) for requests whose rows fit in one
// statement: the rows and their outbox rows are inserted by one INSERT over a JSON batch, so a burst of
// requests costs a few statements rather than a transaction each. The answer waits for the commit, never
// for Redis: the committed jobs are then handed to BullMQ with one addBulk per queue, and whatever that
// misses (Redis away, a crash right after the commit) the outbox relay adds later under the same job id.
import type { EntityManager } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from '../lib/errors.ts';
import { GroupCommit, type GroupCommitOptions } from '../lib/group-commit.ts';
import type { JobDef, Payload } from './define-job.ts';
import { relayManyNow } from './outbox-relay.ts';
import { outboxEntry, type OutboxEntry, type Producer } from './producer.ts';

/** An item of a group insert: its row id, and the outbox row of its job. */
export interface WithJob {
  id: string;
  job: OutboxEntry;
}

/**
 * Group commit of one statement whose only parameter is the batch as a JSON array (items as given, their
 * `job` included) and which returns the ids it inserted. The submit resolves true once the item's row is
 * committed, false when the statement skipped it (a duplicate, or a condition it checks).
 */
export function groupInsert<T extends WithJob>(
  em: EntityManager,
  producer: Producer,
  sql: string,
  options: Omit<GroupCommitOptions, 'retryAlone'> = { writers: 3, maxBatch: 500 },
) {
  const commit = new GroupCommit<T, boolean>(
    async (items) => {
      // One JSON parameter for the whole batch (the ORM's `?` would expand a JS array into a list).
      const rows = await em.getConnection().execute<{ id: string }[]>(sql, [JSON.stringify(items)]);
      const inserted = new Set(rows.map((r) => r.id));
      void relayCommitted(
        em,
        producer,
        items.filter((i) => inserted.has(i.id)).map((i) => i.job),
      );
      // Should a batch repeat an id, only its first item counts as the insert.
      return items.map((i) => inserted.delete(i.id));
    },
    { ...options, retryAlone: (err) => !isDatabaseUnavailable(err) },
  ); // an outage fails the batch once (503s), not item by item
  return (item: T) => commit.submit(item);
}

/**
 * Hands committed outbox rows to BullMQ now (one addBulk per queue); failures are left to the relay, so the
 * promise never rejects. The API does not wait for it; a job does, so its follow-ups are relayed (or left to
 * the relay) before it completes, and a shutdown that waits for jobs in hand waits for them too.
 */
export async function relayCommitted(em: EntityManager, producer: Producer, entries: OutboxEntry[]): Promise<void> {
  await Promise.all([...Map.groupBy(entries, (e) => e.queue).values()].map((rows) => relayManyNow(em, producer, rows)));
}

const INSERT_OUTBOX_ROWS = `
insert into outbox_jobs (id, queue, payload, options, created_at)
select (i.job->>'id')::uuid, i.job->>'queue', i.job->'payload', nullif(i.job->'options', 'null'), now()
from jsonb_to_recordset(?::jsonb) as i(id uuid, job jsonb)
on conflict (id) do nothing
returning id`;

/** For a request whose only write is the job itself (an audit event). */
export class OutboxWriter {
  readonly #insert: (item: WithJob) => Promise<boolean>;

  constructor(em: EntityManager, producer: Producer) {
    this.#insert = groupInsert(em, producer, INSERT_OUTBOX_ROWS);
  }

  /** `inserted` is false when a keyed job with that id was enqueued before: nothing new is written or relayed. */
  async enqueue<J extends JobDef>(
    job: J,
    payload: Payload<J>,
    options: { jobKey?: string; delay?: number } = {},
  ): Promise<{ id: string; inserted: boolean }> {
    const entry = outboxEntry(job, payload, options);
    return { id: entry.id, inserted: await this.#insert({ id: entry.id, job: entry }) };
  }
}
