// Erases a soft-deleted user, everywhere a copy of their data can be:
// 1. In one transaction: the tombstone (erased_identities: a keyed hash of the Auth id, so the identity can
//    never be synced back); audit rows (system_events) stay, under a keyed tombstone UUID in event_data,
//    without their network fields (IP, user agent, session) or the ids of the user's erased things, and the
//    FK then sets user_id null; every other row
//    the user owns goes — the owning tables through the users FK cascade, the ones the FK would only unlink
//    (user_sync_logs, which hold before/after data) explicitly; Vapi webhook deliveries of the user's calls
//    (no FK: linked by the call); outbox rows naming any id that belonged to the user.
// 2. The user's jobs in every queue (queued, delayed, completed, failed), found by any of those ids, and the
//    user's quota counters in Redis.
// 3. The user in Supabase Auth (admin API DELETE; a 404 is success), so the account cannot sign in again.
//    Retried with the job; what happens when it keeps failing: docs/privacy.md.
// Re-running after success finds no user and only re-sweeps the queues and Auth.
import type { EntityManager, EntityMetadata, EntityProperty } from '@mikro-orm/postgresql';
import { ownedLinks } from '../db/user-owned.ts';
import { writeTombstone } from '../db/erased-identities.ts';
import { auditTombstone } from '../domain/erasure.ts';
import { User } from '../entities/user.entity.ts';
import type { Limits } from '../lib/limits.ts';
import type { AuthAdmin } from '../lib/supabase-admin.ts';
import type { userErasure } from '../queues/user-erasure.ts';
import type { Payload } from '../queues/define-job.ts';
import type { Producer } from '../queues/producer.ts';
import type { JobContext } from './context.ts';
import { recordSystemEvent } from '../db/system-events.ts';

/** Tables kept for audit after an erasure, under the tombstone. */
export const AUDIT_TABLES = ['system_events'] as const;

export interface ErasureDeps {
  /** ERASURE_TOMBSTONE_KEY. */
  tombstoneKey: string;
  /** The Supabase Auth admin API; null when no project is configured (local development): nothing to delete there. */
  authAdmin: AuthAdmin | null;
  limits?: Limits;
}

export async function processUserErasure(p: Payload<typeof userErasure>, ctx: JobContext, deps: ErasureDeps) {
  const user = await ctx.em.findOne(User, p.user_id);
  if (user && !user.deletedAt) return { skipped: 'user is not deleted' };
  const tombstone = auditTombstone(deps.tombstoneKey, p.user_id);
  // The ids to look for in the queues: gathered before the rows go (and again on a re-run, from what is left).
  const ids = user ? await eraseRows(ctx.em, p.user_id, tombstone, deps.tombstoneKey) : new Set([p.user_id]);
  if (!user) await writeTombstone(ctx.em.fork(), deps.tombstoneKey, p.user_id);
  const removedJobs = await removeQueuedJobs(ctx.producer, ids, ctx.jobId);
  await deps.limits?.forgetUser(p.user_id);
  // Auth last: if it keeps failing, the job fails for good and is recorded, the tombstone already refuses
  // the identity, and the hourly reconciliation deletes it from Auth when it lists it (docs/privacy.md).
  const auth = deps.authAdmin ? await deps.authAdmin.deleteUser(p.user_id) : 'not_configured';
  await recordSystemEvent(ctx.em.fork(), `erasure-completed:${tombstone}`, {
    userId: null,
    eventType: 'erasure_completed',
    eventCategory: 'privacy',
    severity: 'info',
    eventData: { erased_user: tombstone, removed_jobs: removedJobs, auth_user: auth },
  });
  return { erased: Boolean(user), removedJobs, auth };
}

async function eraseRows(em: EntityManager, userId: string, tombstone: string, key: string): Promise<Set<string>> {
  return em.transactional(async (tx) => {
    await tx.execute('select 1 from users where id = ? for update', [userId]);
    const ids = await ownedIds(tx, userId);

    // Vapi deliveries carry no FK: those of the user's calls, by Vapi's call id or our own id in the metadata.
    const calls = await tx.execute<{ id: string; vapi_call_id: string | null }[]>(
      'select id, vapi_call_id from voice_calls where user_id = ?',
      [userId],
    );
    const vapiIds = calls.flatMap((c) => (c.vapi_call_id ? [c.vapi_call_id] : []));
    for (const c of vapiIds) ids.add(c);
    const events = await tx.execute<{ id: string }[]>(
      `delete from webhook_events where vapi_call_id = any(?::text[])
         or payload #>> '{message,call,assistantOverrides,metadata,voice_call_id}' = any(?::text[])
         or payload #>> '{message,call,customer,externalId}' = any(?::text[])
       returning id`,
      [pgArray(vapiIds), pgArray(calls.map((c) => c.id)), pgArray(calls.map((c) => c.id))],
    );
    for (const e of events) ids.add(e.id);
    await writeTombstone(tx, key, userId);
    // Audit rows stay, under the tombstone: without their network fields, and without the ids of the user's
    // erased things (an export id, an incident id: references to nothing now, and a way to link rows back).
    for (const table of AUDIT_TABLES) {
      await tx.execute(
        `update "${table}" set ip_address = null, user_agent = null, session_id = null,
           event_data = (select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) from jsonb_each(event_data) e
                         where not (jsonb_typeof(e.value) = 'string' and e.value #>> '{}' = any(?::text[])))
                        || ?::jsonb
         where user_id = ?`,
        [pgArray([...ids]), JSON.stringify({ erased_user: tombstone }), userId],
      );
    }
    for (const link of ownedLinks(tx.getMetadata())) {
      const table = link.meta.tableName;
      if (link.deleteRule === 'cascade' || (AUDIT_TABLES as readonly string[]).includes(table)) continue;
      await tx.execute(`delete from "${table}" where "${link.column}" = ?`, [userId]);
    }
    // Outbox rows whose payload names any of the ids, at any depth.
    await tx.execute(
      `delete from outbox_jobs o where exists (
         select 1 from jsonb_path_query(o.payload, 'strict $.**') v
         where jsonb_typeof(v) = 'string' and v #>> '{}' = any(?::text[]))`,
      [pgArray([...ids])],
    );
    await tx.execute('delete from users where id = ?', [userId]);
    return ids;
  });
}

const pgArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * Every primary key that belongs to the user: rows of the tables linked to users (found in the ORM metadata,
 * not a hand list), then, to a fixed point, rows of the tables those cascade to (a schedule's executions,
 * a conversation's messages).
 */
export async function ownedIds(em: EntityManager, userId: string): Promise<Set<string>> {
  const metadata = em.getMetadata();
  const ids = new Set([userId]);
  const byEntity = new Map<string, string[]>();
  const collect = async (meta: EntityMetadata, column: string, values: string[]) => {
    const pk = meta.getPrimaryProps()[0];
    if (!pk || meta.getPrimaryProps().length !== 1 || !values.length) return;
    const rows = await em.execute<{ id: unknown }[]>(
      `select "${pk.fieldNames[0]}"::text as id from "${meta.tableName}" where "${column}"::text = any(?::text[])`,
      [pgArray(values)],
    );
    const found = rows.map((r) => String(r.id)).filter((id) => !ids.has(id));
    for (const id of found) ids.add(id);
    if (found.length) byEntity.set(meta.className, [...(byEntity.get(meta.className) ?? []), ...found]);
  };
  for (const link of ownedLinks(metadata)) await collect(link.meta, link.column, [userId]);
  for (let round = 0, grew = true; grew && round < 5; round++) {
    const before = ids.size;
    for (const meta of metadata.getAll().values()) {
      if (meta.abstract) continue;
      for (const prop of Object.values(meta.properties) as EntityProperty[]) {
        const parents =
          prop.kind === 'm:1' && prop.deleteRule === 'cascade' && byEntity.get(prop.targetMeta!.className);
        if (parents) await collect(meta, prop.fieldNames[0]!, parents);
      }
    }
    grew = ids.size > before;
  }
  return ids;
}

const REMOVABLE = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** True when any string in `data` (at any depth) is one of `ids`. */
function namesAny(data: unknown, ids: ReadonlySet<string>): boolean {
  if (typeof data === 'string') return ids.has(data);
  if (data === null || typeof data !== 'object') return false;
  return Object.values(data).some((v) => namesAny(v, ids));
}

/** Removes every job whose payload names any of the ids (active ones finish; their effects were erased above). */
async function removeQueuedJobs(producer: Producer, ids: ReadonlySet<string>, ownJobId: string): Promise<number> {
  let removed = 0;
  for (const queue of producer.allQueues()) {
    const matches = [];
    // Collect first, remove after: removing while paging would shift the pages.
    for (let start = 0; ; start += 500) {
      const jobs = await queue.getJobs([...REMOVABLE], start, start + 499);
      matches.push(
        ...jobs.filter((job) => job && job.id !== ownJobId && (namesAny(job.data, ids) || ids.has(job.id ?? ''))),
      );
      if (jobs.length < 500) break;
    }
    for (const job of matches) {
      await job.remove().catch(() => undefined); // locked by a worker right now: it finishes on its own
      removed++;
    }
  }
  return removed;
}
