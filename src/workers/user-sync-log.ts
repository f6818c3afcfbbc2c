// user_sync_logs rows: one per sync, written in the sync's transaction (or, for a failed attempt, after it).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SyncSource } from '../domain/enums.ts';
import type { SyncPlan } from '../domain/user-sync.ts';

export interface SyncMeta {
  source: SyncSource;
  requestId: string | null;
  sessionId: string | null;
}

export const metaColumns = (meta: SyncMeta) => ({
  source: meta.source,
  request_id: meta.requestId,
  session_id: meta.sessionId,
});

export interface SyncLogRow {
  id: string;
  user_id: string | null;
  sync_type: SyncPlan['type'];
  before_data: object | null;
  after_data: object | null;
  success: boolean;
  error_message: string | null;
  source: SyncSource;
  request_id: string | null;
  session_id: string | null;
}

/** Inserts log rows; an id already present (a re-run of a committed batch) is skipped. */
export async function insertSyncLogs(em: EntityManager, rows: readonly SyncLogRow[]): Promise<void> {
  await em.execute(
    `insert into user_sync_logs (id, user_id, sync_type, source, before_data, after_data, success, error_message, request_id, session_id)
     select id, user_id, sync_type, source, before_data, after_data, success, error_message, request_id, session_id
     from jsonb_to_recordset(?::jsonb) as x(id uuid, user_id uuid, sync_type text, source text, before_data jsonb,
       after_data jsonb, success boolean, error_message text, request_id text, session_id text)
     on conflict (id) do nothing`,
    [JSON.stringify(rows)],
  );
}

/** A failed attempt: logged (outside the rolled-back transaction), then the queue retries. */
export async function logSyncFailure(
  em: EntityManager,
  entry: { id: string; logId: string },
  meta: SyncMeta,
  error: string,
) {
  const exists = (await em.execute('select 1 from users where id = ?', [entry.id])).length > 0;
  await insertSyncLogs(em, [
    {
      id: entry.logId,
      user_id: exists ? entry.id : null,
      sync_type: exists ? 'update' : 'create',
      before_data: null,
      after_data: null,
      success: false,
      error_message: error.slice(0, 500),
      ...metaColumns(meta),
    },
  ]);
}
