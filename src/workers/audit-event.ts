import type { auditEvent } from '../queues/audit-event.ts';
import type { JobContext } from './context.ts';
import type { Payload } from '../queues/define-job.ts';
import { recordSystemEvent } from '../db/system-events.ts';

/** Writes the audit record; keyed by the job id, so a retry or a duplicate delivery writes one row. */
export async function processAuditEvent(p: Payload<typeof auditEvent>, ctx: JobContext) {
  const id = await recordSystemEvent(ctx.em, `audit-event:${ctx.jobId}`, {
    userId: p.user_id,
    eventType: p.event_type,
    eventCategory: p.event_category,
    severity: p.severity,
    eventData: { ...p.event_data, request_id: p.request_id },
  });
  return { systemEventId: id };
}
