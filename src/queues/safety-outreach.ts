// Reaches the user's safety contacts for one crisis trigger (joins the user's open incident if any).
// Enqueued by: memory-extraction (chat crisis), vapi-webhook (call crisis), POST /v1/safety/alerts — always
// durably, with jobKey `${trigger}:${source_id}`. Processed by: src/workers/safety-outreach.ts
import { z } from 'zod';
import { defineJob } from './define-job.ts';

export const OUTREACH_TRIGGERS = ['chat_message', 'voice_call', 'manual_alert'] as const;

export const safetyOutreach = defineJob({
  name: 'safety-outreach',
  schema: z.object({
    user_id: z.uuid(),
    trigger: z.enum(OUTREACH_TRIGGERS),
    /** The message, call or alert that raised it; null only for a manual alert without a record. */
    source_id: z.uuid().nullable(),
    /** Only high and critical reach contacts; a manual alert is always critical. */
    crisis_level: z.enum(['high', 'critical']),
    detected_at: z.iso.datetime(),
  }),
  // Never give up quickly on a person in crisis: many attempts, capped backoff.
  options: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: false,
    priority: 1,
  },
  durable: true,
});
