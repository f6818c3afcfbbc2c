// Webhook ingest with group commit (src/lib/group-commit.ts): deliveries that arrive together are written
// by one statement (event rows and their outbox rows), and their jobs relayed with one addBulk.
import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupCommit } from '../lib/group-commit.ts';
import { relayCommitted } from '../queues/outbox-writer.ts';
import type { Producer } from '../queues/producer.ts';
import { outboxJobId } from '../queues/producer.ts';
import { vapiWebhook } from '../queues/vapi-webhook.ts';

export interface EventRow {
  id: string;
  vapiCallId: string | null;
  eventType: string;
  eventKey: string;
  /** The stripped envelope, as JSON text. */
  payload: string;
}

/** Each event row and its outbox row in one statement; a redelivered body (same event_key) inserts neither. */
const INSERT_EVENTS_AND_JOBS = `
with input as (
  select * from jsonb_to_recordset(?::jsonb)
    as t(id uuid, vapi_call_id text, event_type text, event_key text, payload jsonb, job_id uuid)
), event as (
  insert into webhook_events (id, vapi_call_id, event_type, event_key, payload, processing_status, created_at)
  select id, vapi_call_id, event_type, event_key, payload, 'pending', now() from input
  on conflict (event_key) do nothing
  returning id
), job as (
  insert into outbox_jobs (id, queue, payload, created_at)
  select input.job_id, ?, jsonb_build_object('webhook_event_id', event.id), now() from event join input using (id)
)
select id from event`;

export class VapiEventBatcher {
  readonly #em: EntityManager;
  readonly #producer: Producer;
  readonly #commit: GroupCommit<EventRow, boolean>;

  constructor(em: EntityManager, producer: Producer) {
    this.#em = em;
    this.#producer = producer;
    this.#commit = new GroupCommit((rows) => this.#write(rows), { writers: 3, maxBatch: 500 });
  }

  /** Resolves once the event is committed: true if stored, false if it was a redelivery. */
  submit(row: EventRow): Promise<boolean> {
    return this.#commit.submit(row);
  }

  async #write(rows: EventRow[]): Promise<boolean[]> {
    // One JSON parameter (the ORM's `?` would expand a JS array into a list); payload is already JSON text.
    const input = `[${rows
      .map((r) => `{"id":"${r.id}","vapi_call_id":${JSON.stringify(r.vapiCallId)},"event_type":${JSON.stringify(r.eventType)},"event_key":"${r.eventKey}","payload":${r.payload},"job_id":"${outboxJobId(vapiWebhook, r.id)}"}`)
      .join(',')}]`;
    const result = await this.#em.getConnection().execute(INSERT_EVENTS_AND_JOBS, [input, vapiWebhook.name]);
    const inserted = new Set(result.map((r) => String(r.id)));
    // The fast path to BullMQ; whatever it misses, the outbox relay adds.
    relayCommitted(this.#em, this.#producer, rows.filter((r) => inserted.has(r.id)).map((r) => ({
      id: outboxJobId(vapiWebhook, r.id), queue: vapiWebhook.name, payload: { webhook_event_id: r.id }, options: null,
    })));
    return rows.map((r) => inserted.has(r.id));
  }
}
