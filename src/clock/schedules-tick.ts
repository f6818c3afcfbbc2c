// The schedules tick: claims due rows of `schedules` and `voice_schedules` in batches (FOR UPDATE SKIP
// LOCKED: any number of clocks may run), enqueues one schedule-run job per row under a job id made from
// (schedule, due slot) and moves next_run_at past now, in one transaction. After an outage each schedule
// fires once and the job carries the number of slots it missed. docs/schedules.md.
import type { EntityManager } from '@mikro-orm/postgresql';
import { advanceSchedule, type Advance } from '../domain/schedule-time.ts';
import type { Logger } from '../lib/logger.ts';
import { describeError } from '../lib/errors.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { outboxJobId, validatePayload, type Producer } from '../queues/producer.ts';
import { executionId, scheduleRun, scheduleRunKey, SCHEDULE_KINDS, type ScheduleKind } from '../queues/schedule-run.ts';
import type { Payload } from '../queues/define-job.ts';
import { recordSystemEvent } from '../db/system-events.ts';

export type EnqueueMode = 'outbox' | 'direct';

export interface TickOptions {
  em: EntityManager;
  producer: Producer;
  log: Logger;
  batchSize: number;
  /** outbox: job rows commit with the advance, then are bulk-added; direct: Queue.addBulk inside the transaction. */
  enqueue: EnqueueMode;
  /** Concurrent claiming transactions per table (default 1). */
  claimers?: number;
  now?: () => Date;
}

export interface TickResult {
  claimed: number;
  /** Schedules whose next run came from a fallback (a system_events warning each). */
  fallbacks: number;
}

const TABLES: Record<ScheduleKind, string> = { schedule: 'schedules', voice_schedule: 'voice_schedules' };

interface DueRow {
  id: string;
  user_id: string;
  cron_expression: string;
  timezone: string;
  next_run_at: Date | string;
}

interface ClaimedJob {
  id: string;
  payload: Payload<typeof scheduleRun>;
}

/**
 * Claims and fires every due row of both tables: `claimers` loops per table, each taking full batches
 * back to back (SKIP LOCKED keeps them apart), so one batch's Redis and PostgreSQL waits overlap another's work.
 */
export async function tickSchedules(opts: TickOptions): Promise<TickResult> {
  const total: TickResult = { claimed: 0, fallbacks: 0 };
  for (const kind of SCHEDULE_KINDS) {
    const claimer = async () => {
      for (;;) {
        const batch = await claimBatch(opts, kind, opts.now?.() ?? new Date());
        total.claimed += batch.claimed;
        total.fallbacks += batch.fallbacks;
        if (batch.claimed < opts.batchSize) return;
      }
    };
    await Promise.all(Array.from({ length: opts.claimers ?? 1 }, claimer));
  }
  return total;
}

async function claimBatch(opts: TickOptions, kind: ScheduleKind, now: Date): Promise<TickResult> {
  const table = TABLES[kind];
  const jobs: ClaimedJob[] = [];
  let fallbacks = 0;
  await opts.em.fork().transactional(async (tx) => {
    const rows = await tx.execute<DueRow[]>(
      `select id, user_id, cron_expression, timezone, next_run_at from ${table}
        where is_active and next_run_at <= ? order by next_run_at limit ? for update skip locked`,
      [now, opts.batchSize],
    );
    // Many users share a cron and zone; within a batch the same (cron, zone, due) is computed once.
    const memo = new Map<string, Advance | Error>();
    const advances: { id: string; next: string | null }[] = [];
    for (const row of rows) {
      const due = new Date(row.next_run_at);
      const key = `${row.cron_expression}\u0000${row.timezone}\u0000${due.getTime()}`;
      let advance = memo.get(key);
      if (!advance) {
        try {
          advance = advanceSchedule(row.cron_expression, row.timezone, due, now);
        } catch (err) {
          advance = err as Error;
        }
        memo.set(key, advance);
      }
      const payload = {
        kind,
        schedule_id: row.id,
        due_at: due.toISOString(),
        missed_slots: advance instanceof Error ? 0 : advance.missed,
      };
      jobs.push({
        id: outboxJobId(scheduleRun, scheduleRunKey(kind, row.id, due)),
        payload: validatePayload(scheduleRun, payload),
      });
      // No next run at all (neither library nor the forward search found one): the due slot still fires,
      // the schedule is deactivated and an error event says why. It never stops silently.
      advances.push({ id: row.id, next: advance instanceof Error ? null : advance.next.at.toISOString() });
      if (advance instanceof Error || advance.next.fallback) {
        fallbacks += 1;
        await recordFallback(tx, kind, row, due, advance);
      }
    }
    if (rows.length === 0) return;
    // The run log row commits with the claim: a slot is on record even if its job were lost (the
    // schedule-run job moves it from pending on). voice_schedules slots are recorded by their call row.
    if (kind === 'schedule') await insertPendingExecutions(tx, jobs);
    if (opts.enqueue === 'outbox') {
      const outbox = jobs.map((j) => ({
        id: j.id,
        queue: scheduleRun.name,
        payload: j.payload,
        options: null,
        createdAt: now,
      }));
      await tx.createQueryBuilder(OutboxJob).insert(outbox).onConflict('id').ignore().execute();
    } else {
      // Inside the transaction: if the commit fails, the rows stay due and the same job ids are re-added (a no-op).
      await addJobs(opts.producer, jobs);
    }
    await tx.execute(
      `update ${table} t set next_run_at = v.next, is_active = v.next is not null
         from jsonb_to_recordset(?::jsonb) as v(id uuid, next timestamptz) where t.id = v.id`,
      [JSON.stringify(advances)],
    );
  });
  if (jobs.length && opts.enqueue === 'outbox') await relayClaimed(opts, jobs);
  return { claimed: jobs.length, fallbacks };
}

async function insertPendingExecutions(tx: EntityManager, jobs: ClaimedJob[]) {
  const rows = jobs.map((j) => ({
    id: executionId(j.payload.schedule_id, j.payload.due_at),
    schedule_id: j.payload.schedule_id,
    executed_at: j.payload.due_at,
    metadata: { missed_slots: j.payload.missed_slots, job_id: j.id },
  }));
  await tx.execute(
    `insert into schedule_executions (id, schedule_id, executed_at, status, execution_metadata)
     select v.id, v.schedule_id, v.executed_at, 'pending', v.metadata
       from jsonb_to_recordset(?::jsonb) as v(id uuid, schedule_id uuid, executed_at timestamptz, metadata jsonb)
     on conflict (schedule_id, executed_at) do nothing`,
    [JSON.stringify(rows)],
  );
}

const addJobs = (producer: Producer, jobs: ClaimedJob[]) =>
  producer
    .queue(scheduleRun)
    .addBulk(
      jobs.map((j) => ({ name: scheduleRun.name, data: j.payload, opts: { ...scheduleRun.options, jobId: j.id } })),
    );

/** The fast path for committed outbox rows: one addBulk, one update. On failure the outbox relay takes over. */
async function relayClaimed(opts: TickOptions, jobs: ClaimedJob[]): Promise<void> {
  try {
    await addJobs(opts.producer, jobs);
    await opts.em
      .fork()
      .execute(
        `update outbox_jobs set enqueued_at = now() where enqueued_at is null and id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
        [JSON.stringify(jobs.map((j) => j.id))],
      );
  } catch (err) {
    opts.log.warn(
      { error: describeError(err), jobs: jobs.length },
      'schedule-run fast relay failed; the outbox relay will add them',
    );
  }
}

async function recordFallback(tx: EntityManager, kind: ScheduleKind, row: DueRow, due: Date, advance: Advance | Error) {
  const failed = advance instanceof Error;
  await recordSystemEvent(tx, `schedule-fallback:${kind}:${row.id}:${due.toISOString()}`, {
    userId: row.user_id,
    eventType: failed ? 'schedule_deactivated_no_next_run' : 'schedule_next_run_fallback',
    eventCategory: 'scheduling',
    severity: failed ? 'error' : 'warning',
    eventData: {
      schedule_kind: kind,
      schedule_id: row.id,
      due_at: due.toISOString(),
      ...(failed
        ? { error: advance.message.slice(0, 300) }
        : {
            fallback: advance.next.fallback!.used,
            reason: advance.next.fallback!.reason.slice(0, 300),
            next_run_at: advance.next.at.toISOString(),
          }),
    },
  });
}

export type SchedulesTick = { stop(): Promise<void> };

/** Runs the tick every `intervalMs` until stopped; an error is logged and the next tick tries again. */
export function startSchedulesTick(opts: TickOptions & { intervalMs: number }): SchedulesTick {
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      try {
        const result = await tickSchedules(opts);
        if (result.claimed) opts.log.info(result, 'schedules fired');
      } catch (err) {
        opts.log.error({ error: describeError(err) }, 'schedules tick failed; retrying next tick');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, opts.intervalMs).unref();
      });
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
