// Moves memory vectors to the configured embedding model: every memory whose vector is missing or in
// another model's space (embedding_model) is embedded again and its compact copy rewritten. Enqueued by:
// the clock (periodic, see src/clock/periodic.ts), so a model change is picked up without a deploy step;
// a run with nothing to do is one indexed query. Processed by: src/workers/memory-reembed.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const memoryReembed = defineJob({
  name: 'memory-reembed',
  schema: z.object({}),
  options: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { count: 50 },
    removeOnFail: { count: 100 },
  },
  durable: false,
  // One run at a time per worker process: the batches share the process's one sentence-model thread.
  concurrency: 1,
});
