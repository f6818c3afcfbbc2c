// Applies one stored Vapi server message to its call. Each message is applied in one transaction with the
// call row locked, and every effect is idempotent, so a redelivered job, a replay or two messages of one
// call processed at once leave one consistent result:
// - status-update: the status only moves forward (a late `ringing` after `ended` is ignored);
// - end-of-call-report: src/workers/call-report.ts (one call_summaries row per call, outreach keyed by call).
// Messages for calls that are not ours and types we do not use are recorded and marked skipped.
import type { EntityManager } from '@mikro-orm/postgresql';
import { UnrecoverableError } from 'bullmq';
import { lockRootRow } from '../db/locks.ts';
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { WebhookEvent } from '../entities/webhook-event.entity.ts';
import { nextCallStatus, toCallStatus, toDate } from '../domain/call-lifecycle.ts';
import { normalizePhone } from '../domain/user-sync.ts';
import { scrubProcessedVapiEvent } from '../domain/vapi-payload.ts';
import { verifyWebCallToken, webCallTokenCallId } from '../domain/web-call-token.ts';
import { User } from '../entities/user.entity.ts';
import { Voice } from '../entities/voice.entity.ts';
import { describeError } from '../lib/errors.ts';
import { VapiPermanentError } from '../lib/vapi.ts';
import { relayCommitted } from '../queues/outbox-writer.ts';
import type { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { Payload } from '../queues/define-job.ts';
import { vapiWebhook } from '../queues/vapi-webhook.ts';
import { register, type JobContext } from './context.ts';
import { applyEndOfCallReport, type VapiMessage } from './call-report.ts';
import { defaultVoiceDeps, type VoiceDeps } from './voice-deps.ts';

export interface Applied {
  status: 'processed' | 'skipped';
  note?: string;
  /** Outbox rows the transaction wrote (outreach, engagement): relayed at once after the commit. */
  followUps?: OutboxJob[];
}

export async function processVapiWebhook(p: Payload<typeof vapiWebhook>, ctx: JobContext, deps: VoiceDeps) {
  const event = await ctx.em.findOne(WebhookEvent, p.webhook_event_id);
  if (!event) throw new UnrecoverableError(`webhook event ${p.webhook_event_id} does not exist`);
  if (event.processingStatus === 'processed' || event.processingStatus === 'skipped')
    return { outcome: 'already_done' };
  const message = (event.payload.message ?? {}) as VapiMessage;
  try {
    const applied = await ctx.em.fork().transactional(async (tx) => {
      const result = await apply(tx, message, deps);
      await tx.nativeUpdate(
        WebhookEvent,
        { id: event.id },
        {
          processingStatus: result.status,
          processedAt: new Date(),
          errorMessage: result.note ?? null,
          // The analysis and an inbound caller's number were kept for this step only (src/domain/vapi-payload.ts).
          payload: scrubProcessedVapiEvent(event.payload),
        },
      );
      return result;
    });
    await relayCommitted(ctx.em, ctx.producer, applied.followUps ?? []);
    ctx.log.info({ webhookEventId: event.id, type: event.eventType, status: applied.status }, 'vapi event applied');
    return { outcome: applied.status };
  } catch (err) {
    // Kept replayable: the event stays with its reason; BullMQ retries, and an admin can replay later.
    const reason = describeError(err);
    await ctx.em
      .fork()
      .nativeUpdate(
        WebhookEvent,
        { id: event.id },
        { processingStatus: 'failed', errorMessage: `${reason.name}: ${reason.message}` },
      );
    // Vapi refusing a lookup (4xx) will not change by retrying: leave it to a replay.
    throw err instanceof VapiPermanentError ? new UnrecoverableError(reason.message) : err;
  }
}

async function apply(tx: EntityManager, message: VapiMessage, deps: VoiceDeps): Promise<Applied> {
  if (message.type !== 'status-update' && message.type !== 'end-of-call-report') {
    return { status: 'skipped', note: `message type ${String(message.type).slice(0, 60)} is not used` };
  }
  const call = await findOurCall(tx, message, deps);
  if (!call) return { status: 'skipped', note: 'no voice_calls row for this Vapi call' };
  if (message.type === 'end-of-call-report') return applyEndOfCallReport(tx, call, message, deps);
  call.status = nextCallStatus(call.status, toCallStatus(message.status));
  const startedAt =
    toDate(message.call?.startedAt) ?? (message.status === 'in-progress' ? toDate(message.timestamp) : null);
  if (!call.startedAt && startedAt && call.status !== 'queued') call.startedAt = startedAt;
  if (message.status === 'ended' && typeof message.endedReason === 'string') call.endedReason ??= message.endedReason;
  return { status: 'processed' };
}

/**
 * Locks the call row, with its voice populated: an unloaded assistant_id reference would be flushed as a new
 * voice (docs/data-model.md). `FOR UPDATE OF` the call's own alias (`v0`, MikroORM's root alias): a plain
 * FOR UPDATE on the joined query also locks the voice, so every call of one assistant waited for the others
 * (bench/processing.ts: more vapi-webhook workers made processing slower).
 */
export const lockCallRow = { ...lockRootRow, populate: ['voice'] as const };

/**
 * By Vapi's call id, else by how the call came to be:
 * - a web call (the app's Vapi client) only through the token Hearth signed for its row (web-call-token.ts):
 *   the client sets that metadata, so nothing else in it is trusted;
 * - an inbound call the assistant-request did not record (the number has a fixed assistant): recorded now;
 * - our outbound call through the correlation fields our create request set (the message can arrive before
 *   the vapi-call job stored Vapi's id). The row is then linked to the Vapi call here.
 */
async function findOurCall(tx: EntityManager, message: VapiMessage, deps: VoiceDeps): Promise<VoiceCall | null> {
  const vapiId = typeof message.call?.id === 'string' ? message.call.id : null;
  const byVapiId = vapiId ? await tx.findOne(VoiceCall, { vapiCallId: vapiId }, lockCallRow) : null;
  if (byVapiId || !vapiId) return byVapiId;
  if (message.call?.type === 'webCall') return linkWebCall(tx, message, vapiId, deps);
  if (message.call?.type === 'inboundPhoneCall') return recordInboundCall(tx, message, vapiId);
  const ours = message.call?.assistantOverrides?.metadata?.voice_call_id ?? message.call?.customer?.externalId;
  if (typeof ours !== 'string' || !/^[0-9a-f-]{36}$/i.test(ours)) return null;
  const byOurs = await tx.findOne(VoiceCall, { id: ours, channel: 'outbound_phone' }, lockCallRow);
  if (!byOurs || (byOurs.vapiCallId && byOurs.vapiCallId !== vapiId)) return null;
  byOurs.vapiCallId = vapiId;
  return byOurs;
}

async function linkWebCall(tx: EntityManager, message: VapiMessage, vapiId: string, deps: VoiceDeps) {
  const token = message.call?.assistantOverrides?.metadata?.hearth_call_token;
  const id = webCallTokenCallId(token);
  if (!id) return null;
  const row = await tx.findOne(VoiceCall, { id, channel: 'web', vapiCallId: null }, lockCallRow);
  // The token must have been valid when the call began: a leaked old token starts no linked call.
  const began = toDate(message.call?.createdAt) ?? deps.now();
  if (!row?.user || !verifyWebCallToken(deps.webCallSecret, token as string, { id, userId: row.user.id }, began))
    return null;
  row.vapiCallId = vapiId;
  return row;
}

/** The caller's number as Vapi reports it, matched like an assistant-request (src/api/inbound-call.ts). */
async function recordInboundCall(tx: EntityManager, message: VapiMessage, vapiId: string) {
  const caller = normalizePhone(message.call?.customer?.number);
  const voice = message.call?.assistantId ? await tx.findOne(Voice, { assistantId: message.call.assistantId }) : null;
  if (!caller || !voice) return null;
  const users = await tx.find(
    User,
    { phoneNumber: caller, phoneConfirmedAt: { $ne: null }, deletedAt: null, isActive: true },
    { limit: 2 },
  );
  await tx.execute(
    `insert into voice_calls (vapi_call_id, user_id, assistant_id, channel, status, phone_number, metadata, created_at)
     values (?, ?, ?, 'inbound_phone', 'ringing', ?, '{"purpose":"inbound"}', now()) on conflict (vapi_call_id) do nothing`,
    [vapiId, users.length === 1 ? users[0]!.id : null, voice.assistantId, caller],
  );
  return tx.findOne(VoiceCall, { vapiCallId: vapiId }, lockCallRow);
}

export const vapiWebhookRegistration = (deps: () => VoiceDeps = defaultVoiceDeps) =>
  register(vapiWebhook, (p, ctx) => processVapiWebhook(p, ctx, deps()));
