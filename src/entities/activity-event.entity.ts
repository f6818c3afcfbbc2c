// One activity of a user (a message, an answered check-up, a completed call): the history streaks, XP
// and usage are folded from. The id is derived from the cause, so an event is counted once even when
// its job runs twice (enforced here, not only in Redis). Each row also keeps the fold's state after it,
// so the next event continues from the latest row without rereading the history.
import { defineEntity, p } from '@mikro-orm/core';
import { ACTIVITY_KINDS } from '../domain/engagement.ts';
import { SERVICE_TYPES } from '../domain/enums.ts';
import { createdAt, nonNegativeInt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const ActivityEventSchema = defineEntity({
  name: 'ActivityEvent',
  tableName: 'activity_events',
  indexes: [
    { name: 'activity_events_user_time_idx', properties: ['user', 'occurredAt'] },
    {
      name: 'activity_events_conversation_idx',
      properties: ['conversationId'],
      where: { conversationId: { $ne: null } },
    },
  ],
  properties: {
    /** deterministicUuid(`${kind}:${sourceId}`). */
    id: p.uuid().primary(),
    user: p.manyToOne(User).deleteRule('cascade'),
    kind: p.enum(ACTIVITY_KINDS),
    service: p.enum(SERVICE_TYPES),
    /** The message, schedule execution or voice call that was the activity. */
    sourceId: p.uuid(),
    conversationId: p.uuid().nullable(),
    occurredAt: p.datetime(),
    /** The user's IANA zone when the event was recorded. */
    zone: p.text(),
    crisis: p.boolean(),
    /** Call minutes, for call_completed. */
    minutes: nonNegativeInt('minutes').nullable(),
    xpAwarded: nonNegativeInt('xp_awarded'),
    streakAfter: nonNegativeInt('streak_after'),
    /** Local date (YYYY-MM-DD) the streak stood on after this event. */
    streakDateAfter: p.text(),
    xpAfter: nonNegativeInt('xp_after'),
    dayXpAfter: nonNegativeInt('day_xp_after'),
    createdAt: createdAt(),
  },
});
export class ActivityEvent extends ActivityEventSchema.class {}
ActivityEventSchema.setClass(ActivityEvent);
