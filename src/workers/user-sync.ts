// One user's sync: fetch the user from Supabase Auth by id, then plan and write (src/domain/user-sync.ts).
// Retry / duplicate / crash: the write and its log row commit together under a log id derived from the
// job id, so a re-run of a committed job re-plans to a no-op and logs nothing twice. A failed attempt is
// logged (success = false, one row per attempt) and thrown, so BullMQ retries it.
import type { Payload } from '../queues/define-job.ts';
import type { userSync } from '../queues/user-sync.ts';
import type { AuthAdmin } from '../lib/supabase-admin.ts';
import { describeError } from '../lib/errors.ts';
import { deterministicUuid } from '../lib/ids.ts';
import type { JobContext } from './context.ts';
import { syncUsers, type SyncMeta } from './user-sync-store.ts';
import { logSyncFailure } from './user-sync-log.ts';

export async function processUserSync(
  p: Payload<typeof userSync>,
  ctx: JobContext,
  admin: AuthAdmin,
  tombstoneKey: string,
) {
  const meta: SyncMeta = { source: p.source, requestId: p.request_id, sessionId: p.session_id };
  try {
    const auth = await admin.getUser(p.user_id);
    const { plans } = await syncUsers(
      ctx.em,
      [{ id: p.user_id, auth, logId: deterministicUuid(`user-sync:${ctx.jobId}`) }],
      meta,
      { logNoops: true, tombstoneKey },
    );
    const plan = plans[0]!;
    return plan.type === 'noop' ? { type: plan.type, reason: plan.reason } : { type: plan.type };
  } catch (err) {
    const error = describeError(err);
    const failure = { id: p.user_id, logId: deterministicUuid(`user-sync:${ctx.jobId}:failed:${ctx.attempt}`) };
    await logSyncFailure(ctx.em.fork(), failure, meta, `${error.name}: ${error.message}`).catch((logErr) =>
      ctx.log.error({ error: describeError(logErr) }, 'could not log the failed user sync'),
    );
    throw err;
  }
}
