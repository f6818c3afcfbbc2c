// Re-applies a user's PII settings to content stored before they changed (auto_anonymize_pii turned on,
// or per-kind preferences changed). Enqueued by: PATCH /v1/privacy (durable). Processed by:
// src/workers/pii-reprocess.ts
import { z } from 'zod';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const piiReprocess = defineJob({
  name: 'pii-reprocess',
  schema: z.object({ user_id: z.uuid() }),
  options: defaultJobOptions,
  durable: true,
});
