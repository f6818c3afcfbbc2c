// Reads and writes around the engagement fold: the state a row records, the user's zone, usage counters,
// and the refold of a user's history when an event arrives out of order.
import type { EntityManager } from '@mikro-orm/postgresql';
import { applyActivity, EMPTY_ENGAGEMENT, type EngagementState } from '../domain/engagement.ts';
import { addCounts, type Service, type UsageStats } from '../domain/usage.ts';
import { ActivityEvent } from '../entities/activity-event.entity.ts';
import { UserServiceProfile } from '../entities/user-service-profile.entity.ts';
import type { User } from '../entities/user.entity.ts';

export const stateAfter = (row: ActivityEvent): EngagementState => ({
  currentStreak: row.streakAfter,
  lastActiveDate: row.streakDateAfter,
  lastActiveAt: row.occurredAt,
  xp: row.xpAfter,
  xpOnLastDate: row.dayXpAfter,
});

/** The fold columns of a row: the state after it, and the XP it added. */
export const foldColumns = (before: EngagementState, after: EngagementState) => ({
  xpAwarded: after.xp - before.xp,
  streakAfter: after.currentStreak,
  streakDateAfter: after.lastActiveDate!,
  xpAfter: after.xp,
  dayXpAfter: after.xpOnLastDate,
});

export async function addUsage(em: EntityManager, user: User, service: Service, increment: UsageStats, at: Date) {
  let profile = await em.findOne(UserServiceProfile, { user, serviceType: service });
  profile ??= em.create(UserServiceProfile, { user, serviceType: service });
  profile.usageStats = addCounts(profile.usageStats, increment);
  if (!profile.lastUsedAt || profile.lastUsedAt < at) profile.lastUsedAt = at;
}

/** Refolds every event of the user in time order, rewriting each row's fold columns; returns the final state. */
export async function rewriteFoldFrom(em: EntityManager, user: User): Promise<EngagementState> {
  await em.flush();
  const rows = await em.find(ActivityEvent, { user }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
  let state = EMPTY_ENGAGEMENT;
  for (const row of rows) {
    const next = applyActivity(state, { at: row.occurredAt, kind: row.kind, zone: row.zone, crisis: row.crisis })!;
    Object.assign(row, foldColumns(state, next));
    state = next;
  }
  return state;
}
