// The registry of every job type. Add a contract here and the worker, Bull Board and tests see it.
import { auditEvent } from './audit-event.ts';
import { conversationSummary } from './conversation-summary.ts';
import type { JobDef } from './define-job.ts';
import { engagementUpdate } from './engagement-update.ts';
import { memoryExtraction } from './memory-extraction.ts';
import { memoryReembed } from './memory-reembed.ts';
import { notificationSend } from './notification-send.ts';
import { piiReprocess } from './pii-reprocess.ts';
import { recomputeEngagement } from './recompute-engagement.ts';
import { retention } from './retention.ts';
import { userErasure } from './user-erasure.ts';
import { userExport } from './user-export.ts';
import { safetyEscalate } from './safety-escalate.ts';
import { safetyOutreach } from './safety-outreach.ts';
import { userReconcile } from './user-reconcile.ts';
import { userSync } from './user-sync.ts';
import { scheduleRun } from './schedule-run.ts';
import { vapiCall } from './vapi-call.ts';
import { vapiWebhook } from './vapi-webhook.ts';
import { vapiCallSync } from './vapi-call-sync.ts';

export const jobs = {
  auditEvent,
  safetyOutreach,
  vapiCall,
  notificationSend,
  engagementUpdate,
  recomputeEngagement,
  userExport,
  userErasure,
  retention,
  piiReprocess,
  userSync,
  userReconcile,
  memoryExtraction,
  memoryReembed,
  conversationSummary,
  scheduleRun,
  safetyEscalate,
  vapiWebhook,
  vapiCallSync,
} as const;

export const allJobs: readonly JobDef[] = Object.values(jobs);

export function jobByName(name: string): JobDef | undefined {
  return allJobs.find((j) => j.name === name);
}
