// Syncs one user from Supabase Auth into `users`: the worker fetches the user with the admin API (the
// payload carries the id only; no email, phone or metadata ever sits in Redis). Auth answering 404 means
// the user was deleted: soft delete.
// Enqueued by: POST /webhooks/supabase/auth-users (jobKey `webhook:<sha256 of the delivery>`),
// POST /v1/me/sync (jobKey `self:<user>:<request id>`) — durably, through the outbox.
// Processed by: src/workers/user-sync.ts
import { z } from 'zod';
import { SYNC_SOURCES } from '../domain/enums.ts';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const userSync = defineJob({
  name: 'user-sync',
  schema: z.object({
    user_id: z.uuid(),
    source: z.enum(SYNC_SOURCES),
    /** The API request or webhook delivery that started it (user_sync_logs.request_id). */
    request_id: z.string().max(100).nullable(),
    /** The Supabase session of a self-sync (user_sync_logs.session_id). */
    session_id: z.string().max(100).nullable(),
  }),
  options: defaultJobOptions,
  // Supabase does not retry a webhook we failed to take: losing it to a Redis blip would leave the
  // user stale until the next reconciliation.
  durable: true,
});
