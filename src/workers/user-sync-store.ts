// Applies user-sync plans to PostgreSQL in set-based statements (one statement per table, whatever the
// batch size), so one user (user-sync job) and a page of 1,000 (user-reconcile) share the same code.
// Every write happens in one transaction with the rows locked, and the user_sync_logs row of each user
// commits with its change: a crash mid-batch leaves nothing half done, and a retry re-plans from scratch.
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  INITIAL_SERVICES,
  isoTime,
  planDeletion,
  planSync,
  type AuthUser,
  type LocalUser,
  type SyncPlan,
} from '../domain/user-sync.ts';
import { erasedIds } from '../db/erased-identities.ts';
import { insertSyncLogs, metaColumns, type SyncLogRow, type SyncMeta } from './user-sync-log.ts';

export type { SyncMeta };

/** One user to sync: its Auth snapshot, or null when Auth no longer has it. */
export interface SyncEntry {
  id: string;
  auth: AuthUser | null;
  /** The user_sync_logs id: deterministic, so a re-run of a committed batch logs nothing twice. */
  logId: string;
}

export type SyncCounts = Record<SyncPlan['type'], number>;

export const noCounts = (): SyncCounts => ({ create: 0, update: 0, delete: 0, noop: 0 });

export function addCounts(into: SyncCounts, more: SyncCounts): SyncCounts {
  for (const k of Object.keys(into) as (keyof SyncCounts)[]) into[k] += more[k];
  return into;
}

const TIME_COLUMNS = [
  'email_confirmed_at',
  'phone_confirmed_at',
  'last_sign_in_at',
  'auth_updated_at',
  'deleted_at',
] as const;

/** Our rows for these ids (to_jsonb gives ISO times), optionally locked until the transaction ends. */
export async function loadLocalUsers(
  em: EntityManager,
  ids: readonly string[],
  lock: boolean,
): Promise<Map<string, LocalUser>> {
  if (ids.length === 0) return new Map();
  const rows = await em.execute<{ row: Record<string, unknown> }[]>(
    `select to_jsonb(u) as row from users u where u.id = any(?::uuid[])${lock ? ' for update' : ''}`,
    [`{${ids.join(',')}}`],
  );
  const users = new Map<string, LocalUser>();
  for (const { row } of rows) {
    for (const col of TIME_COLUMNS) row[col] = isoTime(row[col]);
    users.set(row.id as string, row as unknown as LocalUser);
  }
  return users;
}

/** Just what reconciliation compares (auth_updated_at, deleted_at) for these ids: a cheap read per page. */
export async function loadSyncMarks(em: EntityManager, ids: readonly string[]) {
  const rows = await em.execute<{ id: string; auth_updated_at: unknown; deleted_at: unknown }[]>(
    'select id, auth_updated_at, deleted_at from users where id = any(?::uuid[])',
    [`{${ids.join(',')}}`],
  );
  return new Map(
    rows.map((r) => [r.id, { auth_updated_at: isoTime(r.auth_updated_at), deleted_at: isoTime(r.deleted_at) }]),
  );
}

/**
 * Locks and re-reads the users, plans each entry and writes the result. With `logNoops` false (the
 * reconciler), a user whose plan turns out to be a no-op gets no log row: nothing was synced. An erased
 * identity (tombstone under `tombstoneKey`) is a no-op `erased` and never logged: nothing of it is written.
 */
export function syncUsers(
  em: EntityManager,
  entries: readonly SyncEntry[],
  meta: SyncMeta,
  opts: { logNoops: boolean; tombstoneKey: string; now?: Date; relaxedCommit?: boolean },
): Promise<{ counts: SyncCounts; plans: SyncPlan[] }> {
  return em.transactional(async (tx) => {
    // Reconciliation can afford to lose its last commits in a database crash (the next run redoes them,
    // logs included, as they commit together), so it does not wait for each page's WAL flush.
    if (opts.relaxedCommit) await tx.execute('set local synchronous_commit = off');
    const locals = await loadLocalUsers(
      tx,
      entries.map((e) => e.id),
      true,
    );
    const erased = await erasedIds(
      tx,
      entries.map((e) => e.id),
      opts.tombstoneKey,
    );
    const now = opts.now ?? new Date();
    const planned = entries.map((e): Planned => {
      if (erased.has(e.id)) return { ...e, exists: false, plan: { type: 'noop', reason: 'erased' } };
      const local = locals.get(e.id) ?? null;
      return { ...e, exists: local !== null, plan: e.auth ? planSync(local, e.auth, now) : planDeletion(local, now) };
    });
    await writePlans(
      tx,
      planned.filter((p) => !erased.has(p.id)),
      meta,
      opts.logNoops,
    );
    const counts = noCounts();
    for (const p of planned) counts[p.plan.type] += 1;
    return { counts, plans: planned.map((p) => p.plan) };
  });
}

type Planned = SyncEntry & { plan: SyncPlan; exists: boolean };

const json = (rows: unknown[]) => [JSON.stringify(rows)];

async function writePlans(tx: EntityManager, planned: readonly Planned[], meta: SyncMeta, logNoops: boolean) {
  const creates = planned.filter((p) => p.plan.type === 'create');
  const updates = planned.filter((p) => p.plan.type === 'update');
  const deletes = planned.filter((p) => p.plan.type === 'delete');
  const fieldsOf = (p: Planned) => ({ id: p.id, ...(p.plan as Extract<SyncPlan, { fields: unknown }>).fields });

  if (creates.length) {
    await tx.execute(
      `insert into users (id, email, phone_number, full_name, display_name, avatar_url, email_confirmed_at,
         phone_confirmed_at, last_sign_in_at, auth_updated_at)
       select id, email, phone_number, full_name, display_name, avatar_url, email_confirmed_at,
         phone_confirmed_at, last_sign_in_at, auth_updated_at
       from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, phone_number text, full_name text, display_name text,
         avatar_url text, email_confirmed_at timestamptz, phone_confirmed_at timestamptz, last_sign_in_at timestamptz,
         auth_updated_at timestamptz)`,
      json(creates.map(fieldsOf)),
    );
    // Conservative defaults (column defaults: long-term storage off, PII anonymized, 365 days) and the
    // initial service profiles. "on conflict do nothing": a row someone already made is theirs to keep.
    const ids = [`{${creates.map((c) => c.id).join(',')}}`];
    await tx.execute(
      `insert into user_privacy_settings (user_id) select unnest(?::uuid[]) on conflict (user_id) do nothing`,
      ids,
    );
    await tx.execute(
      `insert into user_service_profiles (user_id, service_type)
       select u, s from unnest(?::uuid[]) as u cross join unnest(?::text[]) as s
       on conflict (user_id, service_type) do nothing`,
      [...ids, `{${INITIAL_SERVICES.join(',')}}`],
    );
  }
  if (updates.length) {
    await tx.execute(
      `update users u set email = x.email, phone_number = x.phone_number, full_name = x.full_name,
         display_name = x.display_name, avatar_url = x.avatar_url, email_confirmed_at = x.email_confirmed_at,
         phone_confirmed_at = x.phone_confirmed_at, last_sign_in_at = x.last_sign_in_at,
         auth_updated_at = x.auth_updated_at, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, email text, phone_number text, full_name text, display_name text,
         avatar_url text, email_confirmed_at timestamptz, phone_confirmed_at timestamptz, last_sign_in_at timestamptz,
         auth_updated_at timestamptz)
       where u.id = x.id`,
      json(updates.map(fieldsOf)),
    );
  }
  if (deletes.length) {
    const rows = json(
      deletes.map((p) => ({ id: p.id, deleted_at: (p.plan as Extract<SyncPlan, { type: 'delete' }>).deletedAt })),
    );
    await tx.execute(
      `update users u set deleted_at = x.deleted_at, is_active = false, updated_at = now()
       from jsonb_to_recordset(?::jsonb) as x(id uuid, deleted_at timestamptz) where u.id = x.id`,
      rows,
    );
    // The user's sessions end with the account (the API also refuses their tokens: 403).
    await tx.execute(
      `update user_sessions s set is_active = false, ended_at = x.deleted_at
       from jsonb_to_recordset(?::jsonb) as x(id uuid, deleted_at timestamptz) where s.user_id = x.id and s.is_active`,
      rows,
    );
  }
  const logged = planned.filter((p) => logNoops || p.plan.type !== 'noop');
  if (logged.length)
    await insertSyncLogs(
      tx,
      logged.map((p) => logRow(p, meta)),
    );
}

function logRow(p: Planned, meta: SyncMeta): SyncLogRow {
  const { plan } = p;
  const changed = plan.type !== 'noop';
  return {
    id: p.logId,
    // A log of a user we never had (a deletion of an unknown user) is not linked to a row.
    user_id: p.exists || plan.type === 'create' ? p.id : null,
    sync_type: plan.type,
    // Changed fields only; a no-op changed none (its reason is on the job's log line).
    before_data: changed ? plan.before : null,
    after_data: changed ? plan.after : null,
    success: true,
    error_message: null,
    ...metaColumns(meta),
  };
}
