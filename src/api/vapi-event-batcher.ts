// Group commit for webhook ingest: deliveries that arrive while the writers' INSERTs are in flight are
// written together by the next one (one statement, one commit, however many events), and their jobs are
// relayed with one addBulk and one outbox update. Nothing waits on a timer: at low load each delivery is
// written alone and at once. A few writers run at once, so one slow commit does not hold up the rest.
import type { EntityManager } from '@mikro-orm/postgresql';
import { relayManyNow } from '../queues/outbox-relay.ts';
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

interface Waiting {
  row: EventRow;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
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

const MAX_BATCH = 500;
const WRITERS = 3;

export class VapiEventBatcher {
  readonly #em: EntityManager;
  readonly #producer: Producer;
  #queue: Waiting[] = [];
  #writers = 0;

  constructor(em: EntityManager, producer: Producer) {
    this.#em = em;
    this.#producer = producer;
  }

  /** Resolves once the event is committed: true if stored, false if it was a redelivery. */
  submit(row: EventRow): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ row, resolve, reject });
      if (this.#writers < WRITERS) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writers += 1;
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        const inserted = await this.#write(batch.map((w) => w.row));
        for (const w of batch) w.resolve(inserted.has(w.row.id));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.#writers -= 1;
  }

  async #write(rows: EventRow[]): Promise<Set<string>> {
    // One JSON parameter (the ORM's `?` would expand a JS array into a list); payload is already JSON text.
    const input = `[${rows
      .map((r) => `{"id":"${r.id}","vapi_call_id":${JSON.stringify(r.vapiCallId)},"event_type":${JSON.stringify(r.eventType)},"event_key":"${r.eventKey}","payload":${r.payload},"job_id":"${outboxJobId(vapiWebhook, r.id)}"}`)
      .join(',')}]`;
    const result = await this.#em.getConnection().execute(INSERT_EVENTS_AND_JOBS, [input, vapiWebhook.name]);
    const inserted = new Set(result.map((r) => String(r.id)));
    // The fast path to BullMQ; whatever it misses, the outbox relay adds.
    const jobs = rows.filter((r) => inserted.has(r.id)).map((r) => ({
      id: outboxJobId(vapiWebhook, r.id), queue: vapiWebhook.name, payload: { webhook_event_id: r.id }, options: null,
    }));
    if (jobs.length) void relayManyNow(this.#em, this.#producer, jobs);
    return inserted;
  }
}
