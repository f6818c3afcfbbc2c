// Step 1 of memory-extraction: the crisis check, on the original text, committed on its own before any
// other step runs (a later step failing never holds back or rolls back a crisis signal).
// The detector (lexicon + sentence model + optional LLM) runs before the transaction, so no row is locked
// while the model computes.
// Retry / duplicate: the message row is locked and rewritten with the same values; the safety-outreach
// outbox row is keyed `chat_message:${message_id}` and only created when absent; the system_events row is
// keyed by the message id. So a second run changes nothing and enqueues nothing.
// The sentence model failing: the job is retried (the model's vote matters); on its last attempt the step
// decides with the lexicon (and LLM) alone and records `crisis.model_unavailable`, so a signal those find
// is never held back by a broken model.
import { LockMode } from '@mikro-orm/core';
import type { CrisisDetector } from '../chat/crisis-detector.ts';
import { crisisLevelAtLeast, type CrisisAssessment } from '../domain/crisis.ts';
import { Conversation } from '../entities/conversation.entity.ts';
import { Message } from '../entities/message.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { memoryExtraction } from '../queues/memory-extraction.ts';
import { safetyOutreach } from '../queues/safety-outreach.ts';
import type { JobContext } from './context.ts';
import { recordSystemEvent } from '../db/system-events.ts';

export interface CrisisStepResult {
  level: CrisisAssessment['level'];
  outreachJobId: string | null;
}

/** Null when the message no longer exists. Assistant and system messages are not assessed. */
export async function runCrisisStep(
  ctx: JobContext,
  messageId: string,
  detector: CrisisDetector,
): Promise<CrisisStepResult | null> {
  const unlocked = await ctx.em.fork().findOne(Message, messageId, { fields: ['role', 'content'] });
  if (!unlocked) return null;
  if (unlocked.role !== 'user') return { level: 'none', outreachJobId: null };
  const assessment = await detector.detect(unlocked.content);
  if (assessment.modelError) {
    if (ctx.attempt < (memoryExtraction.options.attempts ?? 1)) throw new Error(assessment.modelError);
    ctx.log.error({ messageId, err: assessment.modelError }, 'crisis check without the sentence model');
  }
  let outreach: OutboxJob | null = null;
  const result = await ctx.em.transactional(async (tx): Promise<CrisisStepResult | null> => {
    const message = await tx.findOne(Message, messageId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!message) return null;
    if (assessment.modelError) {
      await recordSystemEvent(tx, `crisis-model-unavailable:${message.id}`, {
        userId: message.user.id,
        eventType: 'crisis.model_unavailable',
        eventCategory: 'safety',
        severity: 'error',
        eventData: { message_id: message.id, crisis_level: assessment.level },
      });
    }
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
