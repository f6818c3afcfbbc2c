// Every job type's processor, wired up in one place.
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type Registration } from './context.ts';
import { processNotificationSend } from './notification-send.ts';
import { processSafetyEscalate } from './safety-escalate.ts';
import { processSafetyOutreach } from './safety-outreach.ts';

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  register(jobs.safetyOutreach, processSafetyOutreach),
  register(jobs.safetyEscalate, processSafetyEscalate),
  register(jobs.notificationSend, processNotificationSend),
];
