// In-app check-ups with group commit (src/lib/group-commit.ts): the slots that concurrent schedule-run
// jobs bring together are started by one read and one atomic statement, instead of a locking transaction
// of nine round trips each. The statement moves only still-pending executions to sent, and inserts the
// check-in conversation (same id as the per-job path: derived from the execution) and its first message
// for exactly those, so a duplicate run, in the same batch or later, writes nothing. Whatever is not
// plainly an in-app check-up of an active user with a pending execution is left to the per-job path
// (src/workers/schedule-run.ts), which stays the one place for skips, other channels and failures.
import type { EntityManager } from '@mikro-orm/postgresql';
import { checkinOpening } from '../domain/checkin.ts';
import { isDatabaseUnavailable } from '../lib/errors.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { checkinConversationId } from './schedule-dispatch.ts';

export interface CheckinSlot {
  scheduleId: string;
  dueAt: Date;
}

/** `sent` (started now) or `duplicate` (its execution is no longer pending), with the execution's id. */
export interface CheckinOutcome {
  status: 'sent' | 'duplicate';
  executionId: string;
}

type Connection = ReturnType<EntityManager['getConnection']>;

interface SlotState {
  n: number;
  executionId: string | null;
  status: string | null;
  userId: string;
  name: string;
  contextSummary: string | null;
  inApp: boolean;
  userActive: boolean;
  latestSummary: string | null;
}

const READ_SLOTS = `
select i.n, e.id as "executionId", e.status, s.user_id as "userId", s.name, s.context_summary as "contextSummary",
       coalesce(s.reminder_method = 'in_app', false) as "inApp",
       coalesce(u.is_active and u.deleted_at is null, false) as "userActive", cs.summary as "latestSummary"
from jsonb_to_recordset(?::jsonb) as i(n int, "scheduleId" uuid, "dueAt" timestamptz)
left join schedule_executions e on e.schedule_id = i."scheduleId" and e.executed_at = i."dueAt"
left join schedules s on s.id = i."scheduleId"
left join users u on u.id = s.user_id
left join lateral (
  select summary from conversation_summaries where user_id = s.user_id order by created_at desc limit 1
) cs on true`;

// Executions are locked in id order (two batches never wait on each other in a cycle); the user and the
// channel are checked again here, so a change since the read sends the slot to the per-job path instead.
const START_CHECKINS = `
with input as (
  select * from jsonb_to_recordset(?::jsonb) as t(
    "executionId" uuid, "scheduleId" uuid, "userId" uuid, "dueAt" timestamptz, "conversationId" uuid, title text, content text)
), locked as (
  select e.id from schedule_executions e join input i on i."executionId" = e.id
  where e.status = 'pending'
    and exists (select 1 from schedules s where s.id = i."scheduleId" and s.user_id = i."userId" and s.reminder_method = 'in_app')
    and exists (select 1 from users u where u.id = i."userId" and u.is_active and u.deleted_at is null)
  order by e.id
  for update of e
), sent as (
  update schedule_executions e
  set status = 'sent', execution_metadata = e.execution_metadata || jsonb_build_object('conversation_id', i."conversationId")
  from locked join input i on i."executionId" = locked.id
  where e.id = locked.id and e.status = 'pending'
  returning e.id
), conversation as (
  insert into conversations (id, user_id, title, session_type, message_count, last_message_at, created_at, updated_at)
  select i."conversationId", i."userId", i.title, 'check_in', 1, now(), now(), now() from sent join input i on i."executionId" = sent.id
  on conflict (id) do nothing
  returning id
), message as (
  insert into messages (conversation_id, user_id, content, role, created_at, updated_at)
  select i."conversationId", i."userId", i.content, 'assistant', now(), now() from conversation join input i on i."conversationId" = conversation.id
), ran as (
  update schedules s set last_run_at = i."dueAt", updated_at = now()
  from sent join input i on i."executionId" = sent.id
  where s.id = i."scheduleId"
)
select id as "executionId" from sent`;

export class CheckinBatch {
  readonly #connection: Connection;
  readonly #commit: GroupCommit<CheckinSlot, CheckinOutcome | null>;

  constructor(connection: Connection) {
    this.#connection = connection;
    // An outage fails the batch once: each job then tries the per-job path, which fails and retries.
    this.#commit = new GroupCommit((slots) => this.#write(slots), {
      writers: 2,
      maxBatch: 200,
      retryAlone: (err) => !isDatabaseUnavailable(err),
    });
  }

  /** Resolves once the check-up is committed (or found done), null for the per-job path; rejects when its batch failed. */
  start(slot: CheckinSlot): Promise<CheckinOutcome | null> {
    return this.#commit.submit(slot);
  }

  async #write(slots: CheckinSlot[]): Promise<(CheckinOutcome | null)[]> {
    const states = await this.#connection.execute<SlotState[]>(READ_SLOTS, [
      JSON.stringify(slots.map((slot, n) => ({ n, ...slot }))),
    ]);
    // A slot submitted twice in one batch is written once.
    const rows = new Map(states.filter(isReady).map((s) => [s.executionId, checkinRow(s, slots[s.n]!)]));
    const sent = new Set(
      rows.size
        ? (
            await this.#connection.execute<{ executionId: string }[]>(START_CHECKINS, [
              JSON.stringify([...rows.values()]),
            ])
          ).map((r) => r.executionId)
        : [],
    );
    const byItem = new Map(states.map((s) => [s.n, s]));
    const answered = new Set<string>();
    return slots.map((_, n): CheckinOutcome | null => {
      const { executionId, status } = byItem.get(n)!;
      if (!executionId) return null;
      if (sent.has(executionId)) {
        const first = !answered.has(executionId);
        answered.add(executionId);
        return { status: first ? 'sent' : 'duplicate', executionId };
      }
      // Not pending any more is final (sent, completed, skipped, failed never go back): nothing to do.
      // Anything else (not an in-app check-up, or changed since the read) is the per-job path's.
      return status !== 'pending' ? { status: 'duplicate', executionId } : null;
    });
  }
}

const isReady = (s: SlotState): s is SlotState & { executionId: string } =>
  s.status === 'pending' && s.inApp && s.userActive;

/** What START_CHECKINS writes for one slot: the same ids and opening message as startCheckin. */
function checkinRow(s: SlotState & { executionId: string }, slot: CheckinSlot) {
  return {
    ...slot,
    executionId: s.executionId,
    userId: s.userId,
    conversationId: checkinConversationId(s.executionId),
    title: s.name,
    content: checkinOpening({ scheduleName: s.name, contextSummary: s.contextSummary, latestSummary: s.latestSummary }),
  };
}

const batches = new WeakMap<Connection, CheckinBatch>();

/** One batch per database connection pool, shared by every job of this process. */
export function checkinBatchFor(em: EntityManager): CheckinBatch {
  const connection = em.getConnection();
  let batch = batches.get(connection);
  if (!batch) {
    batch = new CheckinBatch(connection);
    batches.set(connection, batch);
  }
  return batch;
}
