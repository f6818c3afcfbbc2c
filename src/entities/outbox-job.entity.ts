// Transactional outbox: a job written in the same PostgreSQL transaction as the rows that caused it.
// The relay (src/queues/outbox-relay.ts) moves each row into BullMQ with the row id as the job id.
import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

export const OutboxJobSchema = defineEntity({
  name: 'OutboxJob',
  tableName: 'outbox_jobs',
  indexes: [{ name: 'outbox_jobs_pending_idx', properties: ['createdAt'], where: { enqueuedAt: null } }],
  properties: {
    id: p
      .uuid()
      .primary()
      .defaultRaw('gen_random_uuid()')
      .onCreate(() => randomUUID()),
    queue: p.text(),
    payload: p.json<Record<string, unknown>>(),
    /** BullMQ options beyond the job type's defaults (e.g. delay); never PII. */
    options: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    enqueuedAt: p.datetime().nullable(),
    relayAttempts: p.integer().default(0),
    lastError: p.text().nullable(),
  },
});
export class OutboxJob extends OutboxJobSchema.class {}
OutboxJobSchema.setClass(OutboxJob);
