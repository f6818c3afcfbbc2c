// Chat ingest with group commit: messages posted together are stored by one statement that, atomically,
// counts them into their (active, owned) conversations, inserts the messages and their memory-extraction
// outbox rows. So a stored message never misses its crisis check, even with Redis down or a crash right
// after the commit (the outbox relay adds the job), and a burst costs a few statements, not a
// transaction of six round trips per message.
//
// Lanes: each conversation always goes to the same lane, and a lane has one statement in flight, so two
// statements never lock the same conversation rows and cannot deadlock on each other's batches. The cost:
// a conversation row held by another transaction (ending it, the crisis step: both a few milliseconds)
// delays the lane's whole batch, not just that conversation's message.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageRole, MessageType } from '../domain/enums.ts';
import { memoryExtraction } from '../queues/memory-extraction.ts';
import { groupInsert, type WithJob } from '../queues/outbox-writer.ts';
import { outboxEntry, type Producer } from '../queues/producer.ts';

export interface NewMessage {
  conversationId: string;
  userId: string;
  content: string;
  role: MessageRole;
  messageType: MessageType;
  modelUsed: string | null;
  tokensUsed: number | null;
  responseTimeMs: number | null;
}

/** `stored` with the ids, or why nothing was written: no such conversation of that user, or it is not active. */
export type IngestResult =
  | { outcome: 'stored'; messageId: string; jobId: string }
  | { outcome: 'not_found' }
  | { outcome: 'not_active'; status: string };

interface Row extends NewMessage, WithJob {
  createdAt: string;
}

const INSERT_MESSAGES = `
with input as (
  select * from jsonb_to_recordset(?::jsonb) as t(
    id uuid, "conversationId" uuid, "userId" uuid, content text, role text, "messageType" text,
    "modelUsed" text, "tokensUsed" int, "responseTimeMs" int, "createdAt" timestamptz, job jsonb)
), counted as (
  update conversations c
  set message_count = c.message_count + n.added, last_message_at = n.last_at, updated_at = now()
  from (select "conversationId", "userId", count(*)::int as added, max("createdAt") as last_at from input group by 1, 2) n
  where c.id = n."conversationId" and c.user_id = n."userId" and c.status = 'active'
  returning c.id
), message as (
  insert into messages (id, conversation_id, user_id, content, role, message_type, model_used, tokens_used, response_time_ms, created_at, updated_at)
  select i.id, i."conversationId", i."userId", i.content, i.role, i."messageType", i."modelUsed", i."tokensUsed", i."responseTimeMs", i."createdAt", i."createdAt"
  from input i join counted on counted.id = i."conversationId"
  returning id
), job as (
  insert into outbox_jobs (id, queue, payload, options, created_at)
  select (i.job->>'id')::uuid, i.job->>'queue', i.job->'payload', nullif(i.job->'options', 'null'), now() from message join input i using (id)
)
select id from message`;

const LANES = 3;

export class MessageIngest {
  readonly #em: EntityManager;
  readonly #lanes: ((row: Row) => Promise<boolean>)[];

  constructor(em: EntityManager, producer: Producer) {
    this.#em = em;
    this.#lanes = Array.from({ length: LANES }, () =>
      groupInsert<Row>(em, producer, INSERT_MESSAGES, { writers: 1, maxBatch: 200 }),
    );
  }

  async submit(message: NewMessage): Promise<IngestResult> {
    const id = randomUUID();
    // Keyed by the message id, so the message's extraction can only ever be enqueued once.
    const row: Row = {
      ...message,
      id,
      createdAt: new Date().toISOString(),
      job: outboxEntry(memoryExtraction, { message_id: id }, { jobKey: id }),
    };
    const lane = this.#lanes[createHash('sha1').update(message.conversationId).digest()[0]! % LANES]!;
    if (await lane(row)) return { outcome: 'stored', messageId: id, jobId: row.job.id };
    // Not counted in: tell a missing (or someone else's) conversation from one that is no longer active.
    const [conversation] = await this.#em
      .getConnection()
      .execute<{ status: string }[]>('select status from conversations where id = ? and user_id = ?', [
        message.conversationId,
        message.userId,
      ]);
    return conversation ? { outcome: 'not_active', status: conversation.status } : { outcome: 'not_found' };
  }
}
