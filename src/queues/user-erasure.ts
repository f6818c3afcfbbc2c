// Hard-deletes everything a (soft-deleted) user owns, keeping audit rows under a tombstone, and removes
// the user's jobs from the queues. Enqueued by: DELETE /v1/me (durable, delayed by ERASURE_GRACE_DAYS,
// jobKey = user id). Processed by: src/workers/user-erasure.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const userErasure = defineJob({
  name: 'user-erasure',
  schema: z.object({ user_id: z.uuid() }),
  // Removed on completion: its own payload names the user it erased.
  options: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 10_000 },
    removeOnComplete: true,
    removeOnFail: false,
  },
  durable: true,
});
