// Places one outbound Vapi call for an existing `voice_calls` row (status `queued`).
// Enqueued by: POST /v1/calls, schedule-run (voice check-ups), safety-outreach (voice contact) — the row
// is written first and the job carries only its id, jobKey = voice_call_id. Processed by: src/workers/vapi-call.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const CALL_PURPOSES = ['user_request', 'scheduled_checkin', 'safety_outreach'] as const;

export const vapiCall = defineJob({
  name: 'vapi-call',
  schema: z.object({
    voice_call_id: z.uuid(),
    /** safety_outreach calls are emergencies: they ignore quiet hours. */
    purpose: z.enum(CALL_PURPOSES),
    schedule_execution_id: z.uuid().nullable(),
  }),
  options: { ...defaultJobOptions, attempts: 6, backoff: { type: 'exponential', delay: 5_000 } },
  durable: true,
});
