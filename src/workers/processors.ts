// Every job type's processor, wired up in one place.
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type Registration } from './context.ts';
import { vapiCallRegistration } from './vapi-call.ts';
import { vapiWebhookRegistration } from './vapi-webhook.ts';
import { vapiCallSyncRegistration } from './vapi-call-sync.ts';

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  vapiCallRegistration(),
  vapiWebhookRegistration(),
  vapiCallSyncRegistration(),
];
