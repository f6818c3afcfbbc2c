// Step 2 of memory-extraction: what a user message means for engagement and check-ups. A user message is
// activity (no XP when the crisis step found any signal: the app never rewards distress); a message in a
// check-in conversation answers that check-up. Retry / duplicate: both outbox rows are keyed by their
// cause and only created when absent, and recordCheckinResponse keeps the first answer.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CrisisLevel } from '../domain/enums.ts';
import { Message } from '../entities/message.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { engagementUpdate, recordActivity } from '../queues/engagement-update.ts';
import type { Payload } from '../queues/define-job.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import { outboxJobId } from '../queues/producer.ts';
import type { JobContext } from './context.ts';
import { recordCheckinResponse } from './schedule-responses.ts';

/** Records an activity once per cause (the outbox row id is derived from it). */
export async function recordActivityOnce(
  em: EntityManager,
  activity: Payload<typeof engagementUpdate>,
): Promise<OutboxJob | null> {
  return em.transactional(async (tx) => {
    if (await tx.findOne(OutboxJob, outboxJobId(engagementUpdate, `${activity.kind}:${activity.source_id}`)))
      return null;
    return recordActivity(tx, activity);
  });
}

export async function runActivityStep(ctx: JobContext, messageId: string, crisisLevel: CrisisLevel) {
  const message = await ctx.em.findOne(Message, messageId, { populate: ['conversation'] });
  if (message?.role !== 'user') return { activity: false, checkin: 'not_a_checkin' as const };
  const base = {
    user_id: message.user.id,
    conversation_id: message.conversation.id,
    occurred_at: message.createdAt.toISOString(),
    crisis: crisisLevel !== 'none',
    minutes: null,
  };
  const rows = [await recordActivityOnce(ctx.em, { ...base, kind: 'message', source_id: message.id })];
  let checkin: Awaited<ReturnType<typeof recordCheckinResponse>> = 'not_a_checkin';
  if (message.conversation.sessionType === 'check_in') {
    checkin = await recordCheckinResponse(ctx.em, { conversationId: message.conversation.id, at: message.createdAt });
    if (checkin === 'recorded')
      rows.push(
        await recordActivityOnce(ctx.em, { ...base, kind: 'checkin_response', source_id: message.conversation.id }),
      );
  }
  for (const row of rows) if (row) await relayNow(ctx.em, ctx.producer, row);
  return { activity: true, checkin };
}
