// Vapi's end-of-call report applied to our call: end time, reason, cost, a summary row, crisis follow-up
// and the schedule slot's response. Runs inside the webhook job's transaction, call row locked.
import type { EntityManager } from '@mikro-orm/postgresql';
import { CallSummary } from '../entities/call-summary.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { ScheduleExecution } from '../entities/schedule-execution.entity.ts';
import type { VoiceCall } from '../entities/voice-call.entity.ts';
import { callOutcome, durationSeconds, toDate } from '../domain/call-lifecycle.ts';
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

export async function applyEndOfCallReport(tx: EntityManager, call: VoiceCall, m: VapiMessage, deps: VoiceDeps): Promise<Applied> {
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
      crisisIndicators: analysis.crisis.indicators.map((i) => i.cue),
      emotionalState: analysis.emotionalState,
      createdAt: new Date(),
    })
    .onConflict('call')
    .ignore()
    .execute();

  let followUp: OutboxJob | undefined;
  if (analysis.crisis.requiresIntervention) followUp = await enqueueOutreach(tx, call, analysis.crisis.level as 'high' | 'critical');

  const executionId = call.metadata.schedule_execution_id;
  if (typeof executionId === 'string') {
    await tx.nativeUpdate(ScheduleExecution, { id: executionId }, {
      userResponded: outcome === 'answered',
      ...(outcome === 'answered' && duration !== null ? { sessionDurationMinutes: Math.ceil(duration / 60) } : {}),
    });
  }
  return { status: 'processed', ...(followUp ? { followUp } : {}) };
}

/** Durable and keyed by the call: however often the report is applied, the call raises one outreach. */
async function enqueueOutreach(tx: EntityManager, call: VoiceCall, level: 'high' | 'critical'): Promise<OutboxJob | undefined> {
  const jobKey = `voice_call:${call.id}`;
  if (await tx.findOne(OutboxJob, outboxJobId(safetyOutreach, jobKey))) return undefined;
  return enqueueInTransaction(tx, safetyOutreach, {
    user_id: call.user.id,
    trigger: 'voice_call',
    source_id: call.id,
    crisis_level: level,
    detected_at: new Date().toISOString(),
  }, { jobKey });
}
