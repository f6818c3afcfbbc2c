// Catches up calls whose end-of-call report never arrived (Vapi does not resend webhooks): asks Vapi for
// each call still in flight after a while and applies an ended one like its report (summary, crisis check).
// Enqueued by: the clock (periodic, every 5 minutes). Processed by: src/workers/vapi-call-sync.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const vapiCallSync = defineJob({
  name: 'vapi-call-sync',
  schema: z.object({}),
  options: { ...defaultJobOptions, attempts: 1 },
  durable: false,
});
