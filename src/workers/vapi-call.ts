// Places the Vapi call for one voice_calls row, at most once per row.
//
// Retry / crash analysis:
// - The row has a vapi_call_id → done, never a second call (a redelivered or replayed job is a no-op).
// - Before each create request the row records an attempt key (and time), which is also sent to Vapi in
//   assistantOverrides.metadata with our row id (and customer.externalId = row id). If the process dies
//   after Vapi created the call but before we stored its id, or the request timed out after Vapi acted,
//   the next attempt finds an attempt key without a vapi_call_id and lists Vapi's calls of that assistant
//   since the attempt: a call carrying our row id is adopted instead of creating another.
// - 4xx → the row is failed with the reason and the job fails for good; 429/5xx/timeout → retried with
//   the contract's backoff (the last attempt fails the row).
import { UnrecoverableError } from 'bullmq';
import { DateTime } from 'luxon';
import { userZone } from '../db/user-zone.ts';
import { UserServiceProfile } from '../entities/user-service-profile.entity.ts';
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { callableAfter, parseQuietHours } from '../domain/quiet-hours.ts';
import { readVoicePreferences } from '../domain/service-preferences.ts';
import { nextCallStatus, toCallStatus } from '../domain/call-lifecycle.ts';
import { describeError } from '../lib/errors.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { VapiPermanentError, type VapiCall } from '../lib/vapi.ts';
import { vapiCall } from '../queues/vapi-call.ts';
import type { Payload } from '../queues/define-job.ts';
import { register, type JobContext } from './context.ts';
import { defaultVoiceDeps, type VoiceDeps } from './voice-deps.ts';

/** How far before the recorded attempt to look in Vapi's list (clock skew between us and Vapi). */
const RECONCILE_SLACK_MS = 5 * 60_000;

export async function processVapiCall(p: Payload<typeof vapiCall>, ctx: JobContext, deps: VoiceDeps) {
  const { em } = ctx;
  const call = await em.findOne(VoiceCall, p.voice_call_id, { populate: ['voice'] });
  if (!call) throw new UnrecoverableError(`voice call ${p.voice_call_id} does not exist`);
  if (call.vapiCallId) return { outcome: 'already_placed' };
  if (call.status !== 'queued' && call.status !== 'scheduled') return { outcome: 'skipped', status: call.status };
  if (!call.phoneNumber) return failForGood(ctx, call, 'the call has no phone number');
  call.metadata = { ...call.metadata, purpose: p.purpose, schedule_execution_id: p.schedule_execution_id };

  const now = deps.now();
  const user = call.user;
  if (!user) return failForGood(ctx, call, 'only calls to a user are placed');
  const profile = await em.findOne(UserServiceProfile, { user, serviceType: 'voice' });
  const zone = await userZone(em, user.id);
  const quiet = parseQuietHours(profile?.servicePreferences, zone);
  const until = callableAfter(now, quiet, p.purpose === 'safety_outreach');
  if (until) {
    await em.flush();
    // Same row + same quiet period → same job id, so a retry of this job defers once.
    const jobId = deterministicUuid(`vapi-call:${call.id}:after:${until.toISOString()}`);
    await ctx.producer.enqueue(vapiCall, p, { jobId, delay: until.getTime() - now.getTime() });
    ctx.log.info({ voiceCallId: call.id, until }, 'quiet hours: call deferred');
    return { outcome: 'deferred', until: until.toISOString() };
  }

  const perDay = readVoicePreferences(profile?.servicePreferences).calls_per_day;
  if (perDay && p.purpose === 'scheduled_checkin' && !call.attemptKey) {
    const dayStart = DateTime.fromJSDate(now).setZone(zone).startOf('day').toJSDate();
    const placed = await em.count(VoiceCall, {
      user,
      id: { $ne: call.id },
      vapiCallId: { $ne: null },
      attemptedAt: { $gte: dayStart },
      metadata: { purpose: 'scheduled_checkin' },
    });
    if (placed >= perDay) return failForGood(ctx, call, `the user's calls_per_day (${perDay}) is reached today`);
  }

  if (call.attemptKey) {
    const earlier = await findEarlierAttempt(deps, call);
    if (earlier) {
      adopt(call, earlier);
      await em.flush();
      ctx.log.info({ voiceCallId: call.id, vapiCallId: earlier.id }, 'adopted the call an earlier attempt created');
      return { outcome: 'reconciled' };
    }
  }

  // Claim the attempt: a row another worker claimed (or completed) meanwhile is left alone.
  const previousKey = call.attemptKey ?? null;
  const attemptKey = `${ctx.jobId}#${ctx.attempt}`;
  await em.flush();
  const claimed = await em.nativeUpdate(
    VoiceCall,
    { id: call.id, vapiCallId: null, attemptKey: previousKey },
    { attemptKey, attemptedAt: now },
  );
  if (claimed !== 1) throw new Error(`voice call ${call.id} is being placed by another attempt`);
  Object.assign(call, { attemptKey, attemptedAt: now });

  try {
    const created = await deps.vapi.createCall({
      assistantId: call.voice.assistantId,
      customerNumber: call.phoneNumber,
      voiceCallId: call.id,
      attemptKey,
    });
    adopt(call, created);
    call.lastError = null;
    await em.flush();
    ctx.log.info({ voiceCallId: call.id, vapiCallId: created.id }, 'call placed');
    return { outcome: 'placed' };
  } catch (err) {
    if (err instanceof VapiPermanentError) return failForGood(ctx, call, err.message);
    const reason = describeError(err).message;
    const last = ctx.attempt >= (vapiCall.options.attempts ?? 1);
    await em.nativeUpdate(
      VoiceCall,
      { id: call.id, vapiCallId: null },
      { lastError: reason, ...(last ? { status: 'failed' } : {}) },
    );
    throw err;
  }
}

/** A call Vapi holds for this row (any earlier attempt), found through the correlation fields we sent. */
async function findEarlierAttempt(deps: VoiceDeps, call: VoiceCall): Promise<VapiCall | undefined> {
  const since = new Date((call.attemptedAt ?? call.createdAt).getTime() - RECONCILE_SLACK_MS);
  const calls = await deps.vapi.listCalls({ assistantId: call.voice.assistantId, createdAtGe: since });
  return calls.find(
    (c) => c.assistantOverrides?.metadata?.voice_call_id === call.id || c.customer?.externalId === call.id,
  );
}

function adopt(call: VoiceCall, vapi: VapiCall) {
  call.vapiCallId = vapi.id;
  call.status = nextCallStatus(call.status, toCallStatus(vapi.status));
}

async function failForGood(ctx: JobContext, call: VoiceCall, reason: string): Promise<never> {
  call.status = 'failed';
  call.lastError = reason;
  await ctx.em.flush();
  ctx.log.warn({ voiceCallId: call.id }, 'call could not be placed');
  throw new UnrecoverableError(reason);
}

/** The worker registration: per-account rate limit through BullMQ's limiter (calls started per minute). */
export const vapiCallRegistration = (deps: () => VoiceDeps = defaultVoiceDeps) =>
  register(
    vapiCall,
    (p, ctx) => processVapiCall(p, ctx, deps()),
    () => ({
      limiter: { max: deps().maxCallsPerMinute, duration: 60_000 },
    }),
  );
