// Counts one activity exactly once: the activity_events row (id derived from the cause) and every
// aggregate it changes are written in one transaction, under a lock on the user's row. A retry after the
// commit finds the row and changes nothing; a crash before it leaves nothing half-counted.
import type { EntityManager } from '@mikro-orm/postgresql';
import { applyActivity, EMPTY_ENGAGEMENT, type ActivityEvent as Activity } from '../domain/engagement.ts';
import { serviceOf, usageIncrement } from '../domain/usage.ts';
import { ActivityEvent } from '../entities/activity-event.entity.ts';
import { Conversation } from '../entities/conversation.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import type { engagementUpdate } from '../queues/engagement-update.ts';
import type { Payload } from '../queues/define-job.ts';
import type { JobContext } from './context.ts';
import { lockUser } from '../db/locks.ts';
import { addUsage, foldColumns, rewriteFoldFrom, stateAfter } from './engagement-store.ts';
import { userZone } from '../db/user-zone.ts';

export async function processEngagementUpdate(p: Payload<typeof engagementUpdate>, ctx: JobContext) {
  const id = deterministicUuid(`${p.kind}:${p.source_id}`);
  return ctx.em.transactional(async (em) => {
    const user = await lockUser(em, p.user_id);
    if (!user) return { skipped: 'user deleted' };
    if (await em.count(ActivityEvent, { id })) return { skipped: 'already counted' };
    const firstInConversation = await isFirstInConversation(em, p);

    const activity: Activity = {
      at: new Date(p.occurred_at),
      kind: p.kind,
      zone: await userZone(em, user.id),
      crisis: p.crisis,
    };
    const latest = await em.findOne(ActivityEvent, { user }, { orderBy: { occurredAt: 'desc', id: 'desc' } });
    const before = latest ? stateAfter(latest) : EMPTY_ENGAGEMENT;
    // The fold's order is (occurred_at, id): an event that sorts before the latest row, even at the same
    // instant, is out of order and refolds the history.
    const inOrder =
      !latest ||
      activity.at > latest.occurredAt ||
      (activity.at.getTime() === latest.occurredAt.getTime() && id > latest.id);
    const next = inOrder ? applyActivity(before, activity) : null;
    em.create(ActivityEvent, {
      id,
      user,
      kind: p.kind,
      service: serviceOf(p.kind),
      sourceId: p.source_id,
      conversationId: p.conversation_id,
      occurredAt: activity.at,
      zone: activity.zone,
      crisis: p.crisis,
      minutes: p.minutes,
      // Placeholder fold columns for an out-of-order event; the refold below sets them.
      ...foldColumns(next ? before : EMPTY_ENGAGEMENT, next ?? applyActivity(EMPTY_ENGAGEMENT, activity)!),
    });
    // An event older than the latest: refold the user's history (rare; the history is one user's).
    const state = next ?? (await rewriteFoldFrom(em, user));
    user.currentStreak = state.currentStreak;
    user.xp = state.xp;
    user.lastActiveAt = state.lastActiveAt;
    await addUsage(em, user, serviceOf(p.kind), usageIncrement(p.kind, p.minutes, firstInConversation), activity.at);
    if (p.conversation_id && p.kind === 'message') await updateConversationDuration(em, p.conversation_id);
    return { counted: true, streak: state.currentStreak, xp: state.xp, refolded: next === null };
  });
}

async function isFirstInConversation(em: EntityManager, p: Payload<typeof engagementUpdate>) {
  if (!p.conversation_id || p.kind !== 'message') return false;
  return (await em.count(ActivityEvent, { conversationId: p.conversation_id, kind: 'message' })) === 0;
}

/** total_duration_minutes: first to last user message of the conversation, whole minutes. */
async function updateConversationDuration(em: EntityManager, conversationId: string) {
  await em.flush();
  const [span] = await em.execute<{ first: Date; last: Date }[]>(
    `select min(occurred_at) as first, max(occurred_at) as last from activity_events where conversation_id = ? and kind = 'message'`,
    [conversationId],
  );
  if (!span?.first) return;
  const minutes = Math.floor((new Date(span.last).getTime() - new Date(span.first).getTime()) / 60_000);
  await em.nativeUpdate(Conversation, { id: conversationId }, { totalDurationMinutes: minutes });
}
