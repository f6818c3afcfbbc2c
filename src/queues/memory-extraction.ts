// Per chat message: crisis check first (on the original text), then PII processing, memory extraction,
// embeddings and consolidation. Enqueued by: POST /v1/conversations/:id/messages, durably, in the same
// transaction as the message, with jobKey = message id. Processed by: src/workers/memory-extraction.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const memoryExtraction = defineJob({
  name: 'memory-extraction',
  schema: z.object({ message_id: z.uuid() }),
  // The crisis step is in every attempt; keep trying for a while before giving up on a message.
  options: { ...defaultJobOptions, attempts: 10, priority: 2 },
  durable: true,
  // Three short transactions per message: slots beyond 5 keep the database busy while others compute
  // (bench/processing.ts: 8 slots ~20 % over 5, no gain past 8 on 2 cores).
  concurrency: 8,
});
