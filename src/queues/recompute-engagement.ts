// Rebuilds streaks, XP and last activity from the activity history and reports what differed.
// Enqueued by: POST /admin/api/engagement/recompute. Processed by: src/workers/recompute-engagement.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const recomputeEngagement = defineJob({
  name: 'recompute-engagement',
  schema: z.object({ user_id: z.uuid().nullable() }),
  options: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 30 * 24 * 3600 } },
  durable: false,
});
