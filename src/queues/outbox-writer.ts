// Durable enqueue for a request whose only write is the job itself (an audit event, a sync request):
// the outbox row is committed with group commit (src/lib/group-commit.ts), so a burst of requests costs a
// few INSERT statements rather than a transaction each. The answer waits for the commit, never for Redis:
// the committed rows are then handed to BullMQ in one addBulk per queue, and whatever that misses (Redis
// away, a crash right after the commit) the outbox relay adds later under the same job id.
import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupCommit } from '../lib/group-commit.ts';
import type { JobDef, Payload } from './define-job.ts';
import { relayManyNow } from './outbox-relay.ts';
import { outboxEntry, type OutboxEntry, type Producer } from './producer.ts';

const INSERT_OUTBOX_ROWS = `
insert into outbox_jobs (id, queue, payload, options, created_at)
select id, queue, payload, options, now()
from jsonb_to_recordset(?::jsonb) as t(id uuid, queue text, payload jsonb, options jsonb)
on conflict (id) do nothing
returning id`;

/** Hands committed outbox rows to BullMQ now (one addBulk per queue); failures are left to the relay. */
export function relayCommitted(em: EntityManager, producer: Producer, entries: OutboxEntry[]): void {
  const byQueue = Map.groupBy(entries, (e) => e.queue);
  for (const rows of byQueue.values()) void relayManyNow(em, producer, rows);
}

export class OutboxWriter {
  readonly #em: EntityManager;
  readonly #producer: Producer;
  readonly #commit: GroupCommit<OutboxEntry, boolean>;

  constructor(em: EntityManager, producer: Producer) {
    this.#em = em;
    this.#producer = producer;
    this.#commit = new GroupCommit((entries) => this.#write(entries), { writers: 3, maxBatch: 500 });
  }

  /**
   * Validates the payload and commits its outbox row. `inserted` is false when a row with that id was
   * already there (a keyed job enqueued before): nothing new is written or relayed.
   */
  async enqueue<J extends JobDef>(job: J, payload: Payload<J>, options: { jobKey?: string; delay?: number } = {}): Promise<{ id: string; inserted: boolean }> {
    const entry = outboxEntry(job, payload, options);
    return { id: entry.id, inserted: await this.#commit.submit(entry) };
  }

  async #write(entries: OutboxEntry[]): Promise<boolean[]> {
    // One JSON parameter for the whole batch (the ORM's `?` would expand a JS array into a list).
    const rows = await this.#em.getConnection().execute<{ id: string }[]>(INSERT_OUTBOX_ROWS, [JSON.stringify(entries)]);
    const inserted = new Set(rows.map((r) => r.id));
    relayCommitted(this.#em, this.#producer, entries.filter((e) => inserted.has(e.id)));
    // A batch may repeat a keyed id: only its first entry counts as the insert.
    return entries.map((e) => inserted.delete(e.id));
  }
}
