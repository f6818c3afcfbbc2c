// Webhook ingest with group commit (src/queues/outbox-writer.ts): deliveries that arrive together are
// written by one statement, event rows and their outbox rows, and their jobs relayed with one addBulk.
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupInsert, type WithJob } from '../queues/outbox-writer.ts';
import { outboxEntry, type Producer } from '../queues/producer.ts';
import { vapiWebhook } from '../queues/vapi-webhook.ts';

export interface EventRow {
  id: string;
  vapiCallId: string | null;
  eventType: string;
  eventKey: string;
  /** The stripped envelope. */
  payload: object;
}

/** Each event row and its outbox row in one statement; a redelivered body (same eventKey) inserts neither. */
const INSERT_EVENTS_AND_JOBS = `
with input as (
  select * from jsonb_to_recordset(?::jsonb)
    as t(id uuid, "vapiCallId" text, "eventType" text, "eventKey" text, payload jsonb, job jsonb)
), event as (
  insert into webhook_events (id, vapi_call_id, event_type, event_key, payload, processing_status, created_at)
  select id, "vapiCallId", "eventType", "eventKey", payload, 'pending', now() from input
  on conflict (event_key) do nothing
  returning id
), job as (
  insert into outbox_jobs (id, queue, payload, options, created_at)
  select (input.job->>'id')::uuid, input.job->>'queue', input.job->'payload', nullif(input.job->'options', 'null'), now() from event join input using (id)
)
select id from event`;

export class VapiEventBatcher {
  readonly #insert: (row: EventRow & WithJob) => Promise<boolean>;

  constructor(em: EntityManager, producer: Producer) {
    this.#insert = groupInsert(em, producer, INSERT_EVENTS_AND_JOBS);
  }

  /** Resolves once the event is committed: true if stored, false if it was a redelivery. */
  submit(row: EventRow): Promise<boolean> {
    return this.#insert({ ...row, job: outboxEntry(vapiWebhook, { webhook_event_id: row.id }, { jobKey: row.id }) });
  }
}
