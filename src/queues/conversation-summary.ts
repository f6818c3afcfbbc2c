// Summarises a conversation once it has ended. Enqueued by: POST /v1/conversations/:id/end, durably, with
// jobKey = conversation id (one summary job per conversation). Processed by: src/workers/conversation-summary.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const conversationSummary = defineJob({
  name: 'conversation-summary',
  schema: z.object({ conversation_id: z.uuid() }),
  options: defaultJobOptions,
  durable: true,
});
