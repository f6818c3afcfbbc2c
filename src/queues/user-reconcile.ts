// Walks every Supabase Auth user page by page and brings `users` in line: creates and updates in bulk
// (only users whose Auth updated_at differs), then, after a complete listing only, soft-deletes the local
// users Auth no longer has (each confirmed with a get-by-id first).
// Enqueued by: the clock (USER_RECONCILE_CRON). Processed by: src/workers/user-reconcile.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const userReconcile = defineJob({
  name: 'user-reconcile',
  schema: z.object({}),
  // A failed run (Auth outage) is retried a few times; the next scheduled run starts over anyway.
  options: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 100 },
  },
  durable: false,
});
