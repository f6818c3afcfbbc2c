// Applies every user's retention settings to stored content. Enqueued by: the clock (daily, see
// src/clock/periodic.ts). Processed by: src/workers/retention.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const retention = defineJob({
  name: 'retention',
  schema: z.object({}),
  options: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 60_000 },
    removeOnComplete: { count: 30 },
    removeOnFail: { count: 100 },
  },
  durable: false,
});
