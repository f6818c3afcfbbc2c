// Every job type's processor, wired up in one place.
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type Registration } from './context.ts';
import { processEngagementUpdate } from './engagement-update.ts';
import { processRecomputeEngagement } from './recompute-engagement.ts';
import { processRetention } from './retention.ts';
import { processUserErasure } from './user-erasure.ts';
import { processUserExport } from './user-export.ts';

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  register(jobs.engagementUpdate, processEngagementUpdate),
  register(jobs.recomputeEngagement, processRecomputeEngagement),
  register(jobs.userExport, processUserExport),
  register(jobs.userErasure, processUserErasure),
  register(jobs.retention, processRetention),
];
