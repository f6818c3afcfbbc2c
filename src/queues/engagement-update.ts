// Folds one activity (a user message, an answered check-up, a completed call) into the user's streak,
// XP, last activity and per-service usage. Enqueued by: the chat, schedule-run and voice paths through
// `recordActivity` (durable, jobKey = `${kind}:${source_id}`). Processed by: src/workers/engagement-update.ts
import { z } from 'zod';
import { ACTIVITY_KINDS } from '../domain/engagement.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defaultJobOptions, defineJob, type Payload } from './define-job.ts';
import { enqueueInTransaction } from './producer.ts';

export const engagementUpdate = defineJob({
  name: 'engagement-update',
  schema: z.object({
    user_id: z.uuid(),
    kind: z.enum(ACTIVITY_KINDS),
    source_id: z.uuid(),
    conversation_id: z.uuid().nullable(),
    occurred_at: z.iso.datetime(),
    crisis: z.boolean(),
    minutes: z.number().int().min(0).nullable(),
  }),
  options: defaultJobOptions,
  durable: true,
});

/** Durably records an activity in the caller's unit of work; the same cause is counted once. */
export function recordActivity(em: EntityManager, activity: Payload<typeof engagementUpdate>) {
  return enqueueInTransaction(em, engagementUpdate, activity, { jobKey: `${activity.kind}:${activity.source_id}` });
}
