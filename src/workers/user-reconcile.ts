// Reconciliation: Supabase Auth is the source of identity; this brings `users` back in line after missed
// webhooks. Streaming: at most two pages of Auth users in memory (the next is fetched while one is
// written); the ids seen go to a Redis set, so memory stays flat for any user count.
// 1. Pages listUsers (page 1, 2, … until a short page; `nextPage` wraps after page 9, so it is not used)
//    and syncs, in bulk, only the users whose Auth updated_at differs from ours (unchanged users cost
//    one read and no write).
// 2. Only after a complete listing: local users Auth did not list are confirmed one by one with
//    get-by-id (offset paging can skip a user when another is deleted mid-listing) and soft-deleted on
//    a 404 — unless that would delete more than 5% of the listed users (a wrong or empty project):
//    then the run refuses. Any Auth error throws before step 2, so an outage mid-listing deletes nothing.
// Retry / crash: each page commits on its own; a re-run re-lists and finds those users unchanged.
import type { Redis } from 'ioredis';
import type { EntityManager } from '@mikro-orm/postgresql';
import { needsSync, type AuthUser } from '../domain/user-sync.ts';
import type { AuthAdmin } from '../lib/supabase-admin.ts';
import { deterministicUuid } from '../lib/ids.ts';
import type { JobContext } from './context.ts';
import { addCounts, loadSyncMarks, noCounts, syncUsers, type SyncCounts, type SyncEntry } from './user-sync-store.ts';

export interface ReconcileDeps {
  admin: AuthAdmin;
  /** ERASURE_TOMBSTONE_KEY: erased identities Auth still lists are not synced but deleted from Auth again. */
  tombstoneKey: string;
  perPage: number;
  /** Refuse to soft-delete more than this share of the listed users in one run (a wrong SUPABASE_URL, an empty project). */
  maxDeleteShare?: number;
}

const SCAN_BATCH = 1000;
const SEEN_TTL_SECONDS = 24 * 3600;
const meta = { source: 'reconcile', requestId: null, sessionId: null } as const;

export class ReconcileRefused extends Error {
  override name = 'ReconcileRefused';
}

const LOCK_SECONDS = 2 * 3600;
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export type ReconcileResult = SyncCounts & { listed: number; skipped?: true };

/** One run at a time: a run that outlasts the cron interval makes the next one a no-op, not a second walk. */
export async function processUserReconcile(
  _p: unknown,
  ctx: JobContext,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const redis = ctx.producer.connection;
  const lockKey = `${ctx.producer.prefix}:user-reconcile:lock`;
  const holder = `${ctx.jobId}:${ctx.attempt}`;
  if ((await redis.set(lockKey, holder, 'EX', LOCK_SECONDS, 'NX')) !== 'OK') {
    ctx.log.info('another user reconciliation is running; skipped');
    return { skipped: true, listed: 0, ...noCounts() };
  }
  try {
    return await reconcile(ctx, deps);
  } finally {
    await redis.eval(RELEASE_LOCK, 1, lockKey, holder).catch(() => {});
  }
}

async function reconcile(ctx: JobContext, deps: ReconcileDeps): Promise<ReconcileResult> {
  const startedAt = new Date();
  const redis = ctx.producer.connection;
  const seenKey = `${ctx.producer.prefix}:user-reconcile:${ctx.jobId}:${ctx.attempt}:seen`;
  const logId = (userId: string) => deterministicUuid(`user-reconcile:${ctx.jobId}:${ctx.attempt}:${userId}`);
  const counts = noCounts();
  let listed = 0;
  try {
    let pending = listPage(deps, 1);
    for (let page = 1; ; page++) {
      const users = await pending;
      const more = users.length >= deps.perPage;
      // Fetch the next page while this one is written (two pages in memory at most).
      if (more) pending = listPage(deps, page + 1);
      listed += users.length;
      if (users.length)
        await redis
          .multi()
          .sadd(seenKey, ...users.map((u) => u.id))
          .expire(seenKey, SEEN_TTL_SECONDS)
          .exec();
      addCounts(counts, await syncChangedUsers(ctx, deps, users, logId));
      if (!more) break;
    }
    const missing = await countMissing(ctx.em, redis, seenKey, startedAt);
    const limit = Math.max(10, Math.floor(listed * (deps.maxDeleteShare ?? 0.05)));
    if (missing > limit) {
      throw new ReconcileRefused(
        `refusing to soft-delete ${missing} of ${missing + listed} users (limit ${limit}): check SUPABASE_URL`,
      );
    }
    if (missing) addCounts(counts, await deleteMissing(ctx.em, redis, seenKey, startedAt, deps, logId));
  } finally {
    await redis.del(seenKey).catch(() => {});
  }
  ctx.log.info({ listed, ...counts }, 'users reconciled');
  return { listed, ...counts };
}

/** A page request whose failure is reported where it is awaited (not as an unhandled rejection meanwhile). */
function listPage(deps: ReconcileDeps, page: number): Promise<AuthUser[]> {
  const request = deps.admin.listUsers(page, deps.perPage);
  request.catch(() => {});
  return request;
}

/**
 * Syncs the users of one page whose Auth updated_at differs from ours; the rest are not touched. An erased
 * identity Auth still lists (the erasure's own Auth deletion failed for good) is not synced: it is deleted
 * from Auth again, so a failed deletion is retried every run (docs/privacy.md).
 */
async function syncChangedUsers(
  ctx: JobContext,
  deps: ReconcileDeps,
  users: readonly AuthUser[],
  logId: (id: string) => string,
): Promise<SyncCounts> {
  const unique = [...new Map(users.map((u) => [u.id.toLowerCase(), u])).values()];
  const locals = await loadSyncMarks(
    ctx.em,
    unique.map((u) => u.id),
  );
  const changed = unique.filter((u) => needsSync(locals.get(u.id), u));
  if (!changed.length) return noCounts();
  const entries: SyncEntry[] = changed.map((u) => ({ id: u.id, auth: u, logId: logId(u.id) }));
  const { counts, plans } = await syncUsers(ctx.em, entries, meta, {
    logNoops: false,
    relaxedCommit: true,
    tombstoneKey: deps.tombstoneKey,
  });
  const erased = entries.filter((_, i) => plans[i]?.type === 'noop' && plans[i].reason === 'erased');
  for (const e of erased) {
    await deps.admin
      .deleteUser(e.id)
      .catch((err: Error) => ctx.log.warn({ error: { name: err.name } }, 'could not delete an erased user from Auth'));
  }
  if (erased.length) ctx.log.info({ erased: erased.length }, 'erased identities deleted from Auth again');
  return counts;
}

/** Pages our live users created before the listing started, in id order, and yields those Auth did not list. */
async function* missingBatches(em: EntityManager, redis: Redis, seenKey: string, startedAt: Date) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await em.execute<{ id: string }[]>(
      'select id from users where deleted_at is null and created_at < ? and id > ? order by id limit ?',
      [startedAt, after, SCAN_BATCH],
    );
    if (!rows.length) return;
    after = rows.at(-1)!.id;
    const ids = rows.map((r) => r.id);
    const seen = await redis.smismember(seenKey, ...ids);
    const missing = ids.filter((_, i) => !seen[i]);
    if (missing.length) yield missing;
    if (rows.length < SCAN_BATCH) return;
  }
}

async function countMissing(em: EntityManager, redis: Redis, seenKey: string, startedAt: Date): Promise<number> {
  let n = 0;
  for await (const batch of missingBatches(em, redis, seenKey, startedAt)) n += batch.length;
  return n;
}

async function deleteMissing(
  em: EntityManager,
  redis: Redis,
  seenKey: string,
  startedAt: Date,
  deps: ReconcileDeps,
  logId: (id: string) => string,
): Promise<SyncCounts> {
  const counts = noCounts();
  for await (const batch of missingBatches(em, redis, seenKey, startedAt)) {
    const entries: SyncEntry[] = [];
    // Confirm before deleting: a user the listing skipped is synced instead.
    for (const id of batch) entries.push({ id, auth: await deps.admin.getUser(id), logId: logId(id) });
    const opts = { logNoops: false, relaxedCommit: true, tombstoneKey: deps.tombstoneKey };
    addCounts(counts, (await syncUsers(em, entries, meta, opts)).counts);
  }
  return counts;
}
