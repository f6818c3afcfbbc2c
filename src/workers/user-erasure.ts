// Erases a soft-deleted user. In one transaction: audit rows (system_events) stay, their user id replaced
// by a tombstone in event_data (the FK then sets user_id null); every other row the user owns goes —
// the owning tables through the users FK cascade, the ones the FK would only unlink (user_sync_logs,
// which hold before/after data) explicitly; pending outbox rows naming the user go too. Then the user's
// jobs are removed from every queue. Re-running after success finds no user and only re-sweeps the queues.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ownedLinks } from '../db/user-owned.ts';
import { User } from '../entities/user.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import type { userErasure } from '../queues/user-erasure.ts';
import type { Payload } from '../queues/define-job.ts';
import type { Producer } from '../queues/producer.ts';
import type { JobContext } from './context.ts';
import { recordSystemEvent } from '../db/system-events.ts';

/** Tables kept for audit after an erasure, under the tombstone. */
export const AUDIT_TABLES = ['system_events'] as const;

export const tombstoneOf = (userId: string) => deterministicUuid(`erased-user:${userId}`);

export async function processUserErasure(p: Payload<typeof userErasure>, ctx: JobContext) {
  const user = await ctx.em.findOne(User, p.user_id);
  if (user && !user.deletedAt) return { skipped: 'user is not deleted' };
  const tombstone = tombstoneOf(p.user_id);
  if (user) await eraseRows(ctx.em, p.user_id, tombstone);
  const removedJobs = await removeQueuedJobs(ctx.producer, p.user_id, ctx.jobId);
  await recordSystemEvent(ctx.em.fork(), `erasure-completed:${p.user_id}`, {
    userId: null,
    eventType: 'erasure_completed',
    eventCategory: 'privacy',
    severity: 'info',
    eventData: { erased_user: tombstone, removed_jobs: removedJobs },
  });
  return { erased: Boolean(user), removedJobs };
}

async function eraseRows(em: EntityManager, userId: string, tombstone: string) {
  await em.transactional(async (tx) => {
    for (const table of AUDIT_TABLES) {
      await tx.execute(`update "${table}" set event_data = event_data || ?::jsonb where user_id = ?`, [
        JSON.stringify({ erased_user: tombstone }),
        userId,
      ]);
    }
    for (const link of ownedLinks(tx.getMetadata())) {
      const table = link.meta.tableName;
      if (link.deleteRule === 'cascade' || (AUDIT_TABLES as readonly string[]).includes(table)) continue;
      await tx.execute(`delete from "${table}" where "${link.column}" = ?`, [userId]);
    }
    await tx.execute(`delete from outbox_jobs where payload->>'user_id' = ?`, [userId]);
    await tx.execute(`delete from users where id = ?`, [userId]);
  });
}

const REMOVABLE = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Removes every job whose payload names the user (active ones finish; their effects were erased above). */
async function removeQueuedJobs(producer: Producer, userId: string, ownJobId: string): Promise<number> {
  let removed = 0;
  for (const queue of producer.allQueues()) {
    const matches = [];
    // Collect first, remove after: removing while paging would shift the pages.
    for (let start = 0; ; start += 500) {
      const jobs = await queue.getJobs([...REMOVABLE], start, start + 499);
      matches.push(...jobs.filter((job) => job?.data?.user_id === userId && job.id !== ownJobId));
      if (jobs.length < 500) break;
    }
    for (const job of matches) {
      await job.remove().catch(() => undefined); // locked by a worker right now: it finishes on its own
      removed++;
    }
  }
  return removed;
}
