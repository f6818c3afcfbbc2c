// Every job type's processor, wired up in one place.
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type Registration } from './context.ts';
import { processScheduleRun } from './schedule-run.ts';

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  register(jobs.scheduleRun, processScheduleRun),
];
