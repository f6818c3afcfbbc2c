// Retention, per user (data_retention_days from user_privacy_settings, 365 when unset):
// - messages and call summaries older than it are deleted (raw conversation is never long-term memory);
// - memory items and conversation summaries older than it are deleted, or, where the user allowed
//   long-term storage, kept in anonymized form (memory content := its anonymized version);
// - short-term memories are deleted after SHORT_TERM_MEMORY_DAYS whatever the settings;
// - webhook payloads are emptied after WEBHOOK_PAYLOAD_RETENTION_DAYS (the event row stays);
// - exports past their expiry that were never downloaded are emptied (status expired): a full copy of a
//   user's data must not outlive its 24 hours;
// - audit rows (system_events) are deleted after SYSTEM_EVENTS_RETENTION_DAYS, rejected-credential rows
//   (webhook_signature_failed) after REJECTION_AUDIT_DAYS.
// Every step works in batches of BATCH rows, each its own statement, so a crash loses nothing and the
// next run (or retry) simply continues: the job is resumable and idempotent.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobContext } from './context.ts';

const BATCH = 1_000;
const DEFAULT_RETENTION_DAYS = 365;
export const SHORT_TERM_MEMORY_DAYS = 30;
export const WEBHOOK_PAYLOAD_RETENTION_DAYS = 30;
export const REJECTION_AUDIT_DAYS = 30;

const expired = (alias: string) =>
  `${alias}.created_at < now() - make_interval(days => coalesce((select s.data_retention_days from user_privacy_settings s where s.user_id = ${alias}.user_id), ${DEFAULT_RETENTION_DAYS}))`;
const longTermAllowed = (alias: string) =>
  `coalesce((select s.allow_long_term_storage from user_privacy_settings s where s.user_id = ${alias}.user_id), false)`;

/** Each step: a statement acting on at most BATCH rows chosen by `select id … limit`, repeated until none. */
const steps = (systemEventDays: number): Record<string, string> => ({
  messages_deleted: `delete from messages where id in (select t.id from messages t where ${expired('t')} limit ${BATCH})`,
  call_summaries_deleted: `delete from call_summaries where id in (select t.id from call_summaries t where ${expired('t')} limit ${BATCH})`,
  short_term_memories_deleted: `delete from memory_items where id in (select t.id from memory_items t where t.storage_type = 'short_term' and t.created_at < now() - interval '${SHORT_TERM_MEMORY_DAYS} days' limit ${BATCH})`,
  memories_deleted: `delete from memory_items where id in (select t.id from memory_items t where ${expired('t')} and not ${longTermAllowed('t')} limit ${BATCH})`,
  memories_anonymized: `update memory_items set content = coalesce(anonymized_version, '[redacted]'), processed_content = coalesce(anonymized_version, '[redacted]'), updated_at = now()
    where id in (select t.id from memory_items t where ${expired('t')} and ${longTermAllowed('t')} and t.content is distinct from coalesce(t.anonymized_version, '[redacted]') limit ${BATCH})`,
  conversation_summaries_deleted: `delete from conversation_summaries where id in (select t.id from conversation_summaries t where ${expired('t')} and not ${longTermAllowed('t')} limit ${BATCH})`,
  webhook_payloads_emptied: `update webhook_events set payload = '{}'::jsonb where id in (select t.id from webhook_events t where t.created_at < now() - interval '${WEBHOOK_PAYLOAD_RETENTION_DAYS} days' and t.payload <> '{}'::jsonb limit ${BATCH})`,
  exports_expired: `update user_exports set data = null, status = case when status = 'ready' then 'expired' else status end where id in (select t.id from user_exports t where t.expires_at < now() and t.data is not null limit ${BATCH})`,
  rejections_deleted: `delete from system_events where id in (select t.id from system_events t where t.event_type = 'webhook_signature_failed' and t.created_at < now() - interval '${REJECTION_AUDIT_DAYS} days' limit ${BATCH})`,
  system_events_deleted: `delete from system_events where id in (select t.id from system_events t where t.created_at < now() - make_interval(days => ${Math.floor(systemEventDays)}) limit ${BATCH})`,
});

async function runStep(em: EntityManager, sql: string): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await em.getConnection().execute<{ affectedRows: number }>(sql, [], 'run');
    total += result.affectedRows;
    if (result.affectedRows < BATCH) return total;
  }
}

export async function processRetention(
  _: Record<string, never>,
  ctx: JobContext,
  opts: { systemEventDays: number } = { systemEventDays: 365 },
) {
  const counts: Record<string, number> = {};
  for (const [name, sql] of Object.entries(steps(opts.systemEventDays))) counts[name] = await runStep(ctx.em, sql);
  ctx.log.info({ counts }, 'retention applied');
  return counts;
}
