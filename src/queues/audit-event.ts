// Writes one audit record to `system_events`.
// Enqueued by: POST /v1/audit-events (durably, through the outbox). Processed by: src/workers/audit-event.ts
import { z } from 'zod';
import { EVENT_CATEGORIES, SEVERITIES } from '../domain/enums.ts';
import { defaultJobOptions, defineJob } from './define-job.ts';

/** Audit data must be small and flat: ids, codes and counts, never content. */
export const auditEventData = z
  .record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean(), z.null()]))
  .refine((d) => Object.keys(d).length <= 32, 'at most 32 keys');

export const auditEvent = defineJob({
  name: 'audit-event',
  schema: z.object({
    user_id: z.uuid().nullable(),
    event_type: z.string().min(1).max(100),
    event_category: z.enum(EVENT_CATEGORIES),
    severity: z.enum(SEVERITIES),
    event_data: auditEventData,
    request_id: z.string().max(100).nullable(),
  }),
  options: defaultJobOptions,
  durable: true,
});
