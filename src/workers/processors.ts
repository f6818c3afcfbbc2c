// Every job type's processor, wired up in one place.
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type Registration } from './context.ts';
import { processConversationSummary } from './conversation-summary.ts';
import { processMemoryExtraction } from './memory-extraction.ts';

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  register(jobs.memoryExtraction, processMemoryExtraction),
  register(jobs.conversationSummary, processConversationSummary),
];
