// Refolds every user's activity history (or one user's), fixes the stored values and reports how many
// differed: an audit of the incremental path. Users are taken in pages, each in its own transaction.
import type { recomputeEngagement } from '../queues/recompute-engagement.ts';
import type { Payload } from '../queues/define-job.ts';
import { User } from '../entities/user.entity.ts';
import type { JobContext } from './context.ts';
import { lockUser } from '../db/locks.ts';
import { rewriteFoldFrom } from './engagement-store.ts';
import { recordSystemEvent } from '../db/system-events.ts';

const PAGE = 200;

export async function processRecomputeEngagement(p: Payload<typeof recomputeEngagement>, ctx: JobContext) {
  let users = 0;
  let differences = 0;
  let after: string | undefined;
  for (;;) {
    const ids = p.user_id
      ? [p.user_id]
      : (
          await ctx.em
            .fork()
            .find(User, after ? { id: { $gt: after } } : {}, { fields: ['id'], orderBy: { id: 'asc' }, limit: PAGE })
        ).map((u) => u.id);
    for (const id of ids) {
      await ctx.em.fork().transactional(async (em) => {
        const user = await lockUser(em, id);
        if (!user) return;
        const state = await rewriteFoldFrom(em, user);
        const lastActiveAt = state.lastActiveAt ?? user.lastActiveAt;
        const differs =
          user.currentStreak !== state.currentStreak ||
          user.xp !== state.xp ||
          lastActiveAt?.getTime() !== user.lastActiveAt?.getTime();
        if (differs) {
          differences++;
          ctx.log.warn({ userId: id }, 'engagement differed from its history; corrected');
          Object.assign(user, { currentStreak: state.currentStreak, xp: state.xp, lastActiveAt });
        }
        users++;
      });
    }
    if (p.user_id || ids.length < PAGE) break;
    after = ids.at(-1);
  }
  await recordSystemEvent(ctx.em.fork(), `recompute-engagement:${ctx.jobId}`, {
    userId: null,
    eventType: 'engagement_recomputed',
    eventCategory: 'system',
    severity: differences ? 'warning' : 'info',
    eventData: { users, differences },
  });
  return { users, differences };
}
