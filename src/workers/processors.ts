// Every job type's processor, wired up in one place.
import { getConfig } from '../config.ts';
import { authAdminFor } from '../lib/supabase-admin.ts';
import { jobs } from '../queues/index.ts';
import { processAuditEvent } from './audit-event.ts';
import { register, type JobContext, type Registration } from './context.ts';
import { createLimits } from '../lib/limits.ts';
import { processConversationSummary } from './conversation-summary.ts';
import { processMemoryExtraction } from './memory-extraction.ts';
import { processMemoryReembed } from './memory-reembed.ts';
import { processEngagementUpdate } from './engagement-update.ts';
import { processRecomputeEngagement } from './recompute-engagement.ts';
import { processNotificationSend } from './notification-send.ts';
import { processPiiReprocess } from './pii-reprocess.ts';
import { processRetention } from './retention.ts';
import { processSafetyEscalate } from './safety-escalate.ts';
import { processSafetyOutreach } from './safety-outreach.ts';
import { processScheduleRun } from './schedule-run.ts';
import { processUserErasure, type ErasureDeps } from './user-erasure.ts';
import { processUserExport } from './user-export.ts';
import { processUserReconcile } from './user-reconcile.ts';
import { processUserSync } from './user-sync.ts';
import { vapiCallRegistration } from './vapi-call.ts';
import { vapiCallSyncRegistration } from './vapi-call-sync.ts';
import { vapiWebhookRegistration } from './vapi-webhook.ts';

/** Erasure without a Supabase project (local development) erases here only: there is no Auth user to delete. */
function erasureDeps(ctx: JobContext): ErasureDeps {
  const config = getConfig();
  return {
    tombstoneKey: config.ERASURE_TOMBSTONE_KEY,
    authAdmin: config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY ? authAdminFor(config) : null,
    limits: createLimits(ctx.producer.connection, ctx.producer.prefix, config),
  };
}

export const registrations: readonly Registration[] = [
  register(jobs.auditEvent, processAuditEvent),
  register(jobs.engagementUpdate, processEngagementUpdate),
  register(jobs.recomputeEngagement, processRecomputeEngagement),
  register(jobs.userExport, processUserExport),
  register(jobs.userErasure, (p, ctx) => processUserErasure(p, ctx, erasureDeps(ctx))),
  register(jobs.retention, (p, ctx) =>
    processRetention(p, ctx, { systemEventDays: getConfig().SYSTEM_EVENTS_RETENTION_DAYS }),
  ),
  register(jobs.piiReprocess, processPiiReprocess),
  register(jobs.userSync, (p, ctx) =>
    processUserSync(p, ctx, authAdminFor(getConfig()), getConfig().ERASURE_TOMBSTONE_KEY),
  ),
  register(jobs.userReconcile, (p, ctx) =>
    processUserReconcile(p, ctx, {
      admin: authAdminFor(getConfig()),
      perPage: getConfig().USER_RECONCILE_PAGE_SIZE,
      tombstoneKey: getConfig().ERASURE_TOMBSTONE_KEY,
    }),
  ),
  register(jobs.memoryExtraction, processMemoryExtraction),
  register(jobs.memoryReembed, processMemoryReembed),
  register(jobs.conversationSummary, processConversationSummary),
  register(jobs.scheduleRun, processScheduleRun),
  register(jobs.safetyOutreach, processSafetyOutreach),
  register(jobs.safetyEscalate, processSafetyEscalate),
  register(jobs.notificationSend, processNotificationSend),
  vapiCallRegistration(),
  vapiWebhookRegistration(),
  vapiCallSyncRegistration(),
];
