// The registry of every job type. Add a contract here and the worker, Bull Board and tests see it.
import { auditEvent } from './audit-event.ts';
import type { JobDef } from './define-job.ts';
import { notificationSend } from './notification-send.ts';
import { safetyOutreach } from './safety-outreach.ts';
import { vapiCall } from './vapi-call.ts';
import { vapiWebhook } from './vapi-webhook.ts';
import { vapiCallSync } from './vapi-call-sync.ts';

export const jobs = {
  auditEvent,
  safetyOutreach,
  vapiCall,
  notificationSend,
  vapiWebhook,
  vapiCallSync,
} as const;

export const allJobs: readonly JobDef[] = Object.values(jobs);

export function jobByName(name: string): JobDef | undefined {
  return allJobs.find((j) => j.name === name);
}
