// Applies one stored Vapi server message (a webhook_events row) to the call it concerns.
// Enqueued by: POST /webhooks/vapi (durably: the event row and its outbox row are one INSERT) and the
// admin replay. Processed by: src/workers/vapi-webhook.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const vapiWebhook = defineJob({
  name: 'vapi-webhook',
  schema: z.object({ webhook_event_id: z.uuid() }),
  options: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  },
  durable: true,
});
