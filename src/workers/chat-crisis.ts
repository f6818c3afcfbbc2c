// Step 1 of memory-extraction: the crisis check, on the original text, committed on its own before any
// other step runs (a later step failing never holds back or rolls back a crisis signal).
// Retry / duplicate: the message row is locked and rewritten with the same values; the safety-outreach
// outbox row is keyed `chat_message:${message_id}` and only created when absent; the system_events row is
// keyed by the message id. So a second run changes nothing and enqueues nothing.
import { LockMode } from '@mikro-orm/core';
import { assessCrisis, crisisLevelAtLeast, type CrisisAssessment } from '../domain/crisis.ts';
import { Conversation } from '../entities/conversation.entity.ts';
import { Message } from '../entities/message.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { safetyOutreach } from '../queues/safety-outreach.ts';
import type { JobContext } from './context.ts';
import { recordSystemEvent } from '../db/system-events.ts';

export interface CrisisStepResult {
  level: CrisisAssessment['level'];
  outreachJobId: string | null;
}

/** Null when the message no longer exists. Assistant and system messages are not assessed. */
export async function runCrisisStep(ctx: JobContext, messageId: string): Promise<CrisisStepResult | null> {
  let outreach: OutboxJob | null = null;
  const result = await ctx.em.transactional(async (tx): Promise<CrisisStepResult | null> => {
    const message = await tx.findOne(Message, messageId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!message) return null;
    if (message.role !== 'user') return { level: 'none', outreachJobId: null };
    const assessment = assessCrisis(message.content);
    message.crisisIndicators = assessment.indicators.map((i) => i.cue);
    message.requiresIntervention = assessment.requiresIntervention;
    if (assessment.level === 'none') return { level: 'none', outreachJobId: null };

    const conversation = await tx.findOneOrFail(Conversation, message.conversation.id, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    if (!crisisLevelAtLeast(conversation.crisisLevel, assessment.level)) conversation.crisisLevel = assessment.level;
    if (!assessment.requiresIntervention) return { level: assessment.level, outreachJobId: null };

    conversation.safetyPlanTriggered = true;
    const jobKey = `chat_message:${message.id}`;
    outreach =
      (await tx.findOne(OutboxJob, outboxJobId(safetyOutreach, jobKey))) ??
      enqueueInTransaction(
        tx,
        safetyOutreach,
        {
          user_id: message.user.id,
          trigger: 'chat_message',
          source_id: message.id,
          crisis_level: assessment.level as 'high' | 'critical',
          detected_at: new Date().toISOString(),
        },
        { jobKey },
      );
    await recordSystemEvent(tx, `chat-crisis:${message.id}`, {
      userId: message.user.id,
      eventType: 'chat.crisis_detected',
      eventCategory: 'safety',
      severity: 'critical',
      // Ids and cue ids only: never the user's words.
      eventData: {
        message_id: message.id,
        conversation_id: conversation.id,
        crisis_level: assessment.level,
        cues: message.crisisIndicators,
        outreach_job_id: outreach.id,
      },
    });
    return { level: assessment.level, outreachJobId: outreach.id };
  });
  const row = outreach as OutboxJob | null;
  if (row && !row.enqueuedAt) await relayNow(ctx.em, ctx.producer, row);
  return result;
}
