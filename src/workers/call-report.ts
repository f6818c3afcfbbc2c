// Vapi's end-of-call report applied to our call: end time, reason, cost, a summary row, crisis follow-up
// and the schedule slot's response. Runs inside the webhook job's transaction, call row locked.
import type { EntityManager } from '@mikro-orm/postgresql';
import { CallSummary } from '../entities/call-summary.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { ScheduleExecution } from '../entities/schedule-execution.entity.ts';
import type { VoiceCall } from '../entities/voice-call.entity.ts';
import { callOutcome, durationSeconds, toDate } from '../domain/call-lifecycle.ts';
import { recordActivityOnce } from './chat-activity.ts';
import { recordCheckinResponse } from './schedule-responses.ts';
import { summarizeCallAnalysis } from '../domain/call-analysis.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { safetyOutreach } from '../queues/safety-outreach.ts';
import type { VapiCall } from '../lib/vapi.ts';
import type { Applied } from './vapi-webhook.ts';
import type { VoiceDeps } from './voice-deps.ts';

/** The fields of a (stripped) server message we read. */
export interface VapiMessage {
  type?: string;
  status?: string;
  endedReason?: string;
  timestamp?: number | string;
  startedAt?: string;
  endedAt?: string;
  cost?: number;
  costBreakdown?: Record<string, unknown>;
  analysis?: { summary?: unknown; structuredData?: unknown; successEvaluation?: unknown };
  call?: VapiCall & { assistantOverrides?: { metadata?: Record<string, unknown> } };
}

export async function applyEndOfCallReport(
  tx: EntityManager,
  call: VoiceCall,
  m: VapiMessage,
  deps: VoiceDeps,
): Promise<Applied> {
  call.startedAt ??= toDate(m.startedAt) ?? toDate(m.call?.startedAt);
  call.endedAt ??= toDate(m.endedAt) ?? toDate(m.call?.endedAt) ?? new Date();
  if (call.startedAt && call.endedAt < call.startedAt) call.endedAt = call.startedAt;
  call.endedReason = m.endedReason ?? m.call?.endedReason ?? call.endedReason ?? null;
  const outcome = callOutcome(call.endedReason, Boolean(call.startedAt));
  if (call.status !== 'failed') call.status = outcome === 'failed' ? 'failed' : 'ended';

  // The report's cost is the total; the breakdown is on the call (maybe stale) or must be fetched.
  let breakdown = m.call?.costBreakdown ?? m.costBreakdown;
  let total = m.cost ?? m.call?.cost;
  if (!breakdown && call.vapiCallId) {
    const fresh = await deps.vapi.getCall(call.vapiCallId);
    breakdown = fresh.costBreakdown;
    total ??= fresh.cost;
  }
  if (breakdown) call.costBreakdown = breakdown;
  total ??= typeof breakdown?.total === 'number' ? breakdown.total : undefined;
  if (typeof total === 'number' && total >= 0) call.costTotal = total;

  const duration = durationSeconds(call.startedAt, call.endedAt);
  const analysis = summarizeCallAnalysis(m.analysis);
  // A model that cannot run leaves the lexicon's (and LLM's) verdict: a call report is never held back.
  const crisis = analysis.crisisText
    ? await deps.crisis.detect(analysis.crisisText, { perspective: 'third_person' })
    : { level: 'none' as const, indicators: [], requiresIntervention: false };
  // One summary per call (unique call_id): a second report or a replay inserts nothing.
  await tx
    .createQueryBuilder(CallSummary)
    .insert({
      id: crypto.randomUUID(),
      call: call.id,
      user: call.user.id,
      summaryJson: analysis.summaryJson,
      durationSeconds: duration,
      sentiment: analysis.sentiment,
      keyTopics: analysis.keyTopics,
      actionItems: analysis.actionItems,
      crisisIndicators: crisis.indicators.map((i) => i.cue),
      emotionalState: analysis.emotionalState,
      createdAt: new Date(),
    })
    .onConflict('call')
    .ignore()
    .execute();

  const followUps: (OutboxJob | null)[] = [];
  if (crisis.requiresIntervention) followUps.push(await enqueueOutreach(tx, call, crisis.level as 'high' | 'critical'));

  const answered = outcome === 'answered';
  const executionId = call.metadata.schedule_execution_id;
  if (typeof executionId === 'string' && !answered)
    await tx.nativeUpdate(ScheduleExecution, { id: executionId }, { userResponded: false });
  // A call to the user themself (not an outreach call to a contact) that was answered is activity, and
  // for a scheduled call the answer to its check-up. Both are keyed by the call: a replay counts nothing twice.
  if (answered && call.metadata.purpose !== 'safety_outreach' && call.startedAt) {
    const base = {
      user_id: call.user.id,
      conversation_id: null,
      occurred_at: call.startedAt.toISOString(),
      crisis: crisis.level !== 'none',
    };
    followUps.push(
      await recordActivityOnce(tx, {
        ...base,
        kind: 'call_completed',
        source_id: call.id,
        minutes: duration === null ? 0 : Math.ceil(duration / 60),
      }),
    );
    if (typeof executionId === 'string') {
      const checkin = await recordCheckinResponse(tx, {
        voiceCallId: call.id,
        executionId,
        at: call.startedAt,
        endedAt: call.endedAt,
      });
      if (checkin === 'recorded')
        followUps.push(
          await recordActivityOnce(tx, { ...base, kind: 'checkin_response', source_id: call.id, minutes: null }),
        );
    }
  }
  return { status: 'processed', followUps: followUps.filter((job) => job !== null) };
}

/** Durable and keyed by the call: however often the report is applied, the call raises one outreach. */
async function enqueueOutreach(
  tx: EntityManager,
  call: VoiceCall,
  level: 'high' | 'critical',
): Promise<OutboxJob | null> {
  const jobKey = `voice_call:${call.id}`;
  if (await tx.findOne(OutboxJob, outboxJobId(safetyOutreach, jobKey))) return null;
  return enqueueInTransaction(
    tx,
    safetyOutreach,
    {
      user_id: call.user.id,
      trigger: 'voice_call',
      source_id: call.id,
      crisis_level: level,
      detected_at: new Date().toISOString(),
    },
    { jobKey },
  );
}
