// Runs one schedule slot. Idempotent per (schedule, due_at):
// 1. the schedule_executions row (status pending) is normally written by the clock with the claim; insert
//    it here too (on conflict nothing) for a job that arrives without one;
// 2. in one transaction, with that row locked: if it is no longer pending, stop (already done); else start
//    the check-up (voice call row + vapi-call job, notification-send job, or check-in conversation), mark
//    the row sent (or skipped) and set last_run_at. A crash inside 2 rolls it back and the retry redoes it;
//    every follow-up has a deterministic id, so nothing is started twice.
// In-app slots take a batched path first (src/workers/checkin-batch.ts: the same writes, shared by
// concurrent jobs); anything it does not plainly cover comes here.
// On the last attempt the row is marked failed with the error. voice_schedules slots have no execution row
// (schedule_executions references schedules): the voice_calls row, keyed by the slot, is their record.
import { UnrecoverableError } from 'bullmq';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { lockRootRow } from '../db/locks.ts';
import { ScheduleExecution } from '../entities/schedule-execution.entity.ts';
import { Schedule } from '../entities/schedule.entity.ts';
import { VoiceSchedule } from '../entities/voice-schedule.entity.ts';
import type { User } from '../entities/user.entity.ts';
import { describeError } from '../lib/errors.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import type { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { Payload } from '../queues/define-job.ts';
import { executionId, scheduleRun } from '../queues/schedule-run.ts';
import { checkinBatchFor } from './checkin-batch.ts';
import type { JobContext } from './context.ts';
import { sendReminder, startCheckin, startVoiceCall, type Dispatch } from './schedule-dispatch.ts';

const userGone = (user: User) => user.deletedAt !== null || !user.isActive;

export async function processScheduleRun(p: Payload<typeof scheduleRun>, ctx: JobContext) {
  const outcome =
    p.kind === 'schedule'
      ? ((await batchedCheckin(p, ctx)) ?? (await runSchedule(p, ctx)))
      : await runVoiceSchedule(p, ctx);
  if (outcome.outbox) void relayNow(ctx.em, ctx.producer, outcome.outbox);
  ctx.log.info({ outcome: outcome.status }, 'schedule run');
  return { status: outcome.status, executionId: outcome.executionId ?? null };
}

interface Outcome {
  status: 'sent' | 'skipped' | 'duplicate' | 'gone';
  executionId?: string;
  outbox?: OutboxJob;
}

/** The in-app fast path (src/workers/checkin-batch.ts); null leaves the slot to runSchedule, as does a failed batch. */
async function batchedCheckin(p: Payload<typeof scheduleRun>, ctx: JobContext): Promise<Outcome | null> {
  try {
    return await checkinBatchFor(ctx.em).start({ scheduleId: p.schedule_id, dueAt: new Date(p.due_at) });
  } catch (err) {
    ctx.log.warn({ error: describeError(err) }, 'batched check-in failed; running the slot on its own');
    return null;
  }
}

async function runSchedule(p: Payload<typeof scheduleRun>, ctx: JobContext): Promise<Outcome> {
  const id = executionId(p.schedule_id, p.due_at);
  const dueAt = new Date(p.due_at);
  const slot = { schedule: p.schedule_id, executedAt: dueAt };
  try {
    return await ctx.em.fork().transactional(async (tx): Promise<Outcome> => {
      const lock = () => tx.findOne(ScheduleExecution, slot, { lockMode: LockMode.PESSIMISTIC_WRITE });
      let execution = await lock();
      if (!execution) {
        if (!(await tx.count(Schedule, { id: p.schedule_id }))) return { status: 'gone' };
        await tx
          .createQueryBuilder(ScheduleExecution)
          .insert({
            id,
            ...slot,
            status: 'pending',
            executionMetadata: { missed_slots: p.missed_slots, job_id: ctx.jobId },
          })
          .onConflict(['schedule', 'executedAt'])
          .ignore()
          .execute();
        execution = await lock();
      }
      if (execution?.status !== 'pending') return { status: 'duplicate', executionId: execution?.id ?? id };
      const schedule = await tx.findOneOrFail(Schedule, p.schedule_id, { populate: ['user'] });
      schedule.lastRunAt = dueAt;
      if (userGone(schedule.user)) {
        execution.status = 'skipped';
        execution.executionMetadata = { ...execution.executionMetadata, reason: 'user_inactive' };
        schedule.isActive = false;
        return { status: 'skipped', executionId: execution.id };
      }
      const dispatch = await dispatchCheckup(tx, schedule, execution);
      execution.status = 'sent';
      execution.executionMetadata = { ...execution.executionMetadata, ...dispatch.metadata };
      return { status: 'sent', executionId: execution.id, ...(dispatch.outbox ? { outbox: dispatch.outbox } : {}) };
    });
  } catch (err) {
    if (err instanceof UnrecoverableError || ctx.attempt >= (scheduleRun.options.attempts ?? 1)) {
      const message = describeError(err).message.slice(0, 500);
      // The row may have been rolled back with the attempt: write it failed, or move a pending one to failed.
      await ctx.em
        .fork()
        .execute(
          `insert into schedule_executions (id, schedule_id, executed_at, status, error_message, execution_metadata)
         values (?, ?, ?, 'failed', ?, ?::jsonb) on conflict (schedule_id, executed_at)
         do update set status = 'failed', error_message = excluded.error_message where schedule_executions.status = 'pending'`,
          [id, p.schedule_id, dueAt, message, JSON.stringify({ missed_slots: p.missed_slots, job_id: ctx.jobId })],
        )
        .catch((recordErr) => ctx.log.error({ error: describeError(recordErr) }, 'could not record the failed run'));
    }
    throw err;
  }
}

function dispatchCheckup(tx: EntityManager, schedule: Schedule, execution: ScheduleExecution): Promise<Dispatch> {
  const user = schedule.user;
  switch (schedule.reminderMethod) {
    case 'voice':
      return startVoiceCall(tx, {
        user,
        assistantId: schedule.assistantId ?? null,
        phoneNumber: schedule.phoneNumber ?? user.phoneNumber ?? null,
        callKey: `schedule-execution:${execution.id}`,
        executionId: execution.id,
      });
    case 'sms':
    case 'email':
      return Promise.resolve(sendReminder(tx, user, schedule.reminderMethod, execution.id));
    default:
      return startCheckin(tx, schedule, execution.id);
  }
}

async function runVoiceSchedule(p: Payload<typeof scheduleRun>, ctx: JobContext): Promise<Outcome> {
  return ctx.em.fork().transactional(async (tx) => {
    // The schedule's row only: its user and voice are shared with other work (src/db/locks.ts).
    const schedule = await tx.findOne(VoiceSchedule, p.schedule_id, { populate: ['user', 'voice'], ...lockRootRow });
    if (!schedule) return { status: 'gone' };
    const callKey = `voice-schedule:${schedule.id}:${new Date(p.due_at).toISOString()}`;
    schedule.lastRunAt = new Date(p.due_at);
    if (userGone(schedule.user)) {
      schedule.isActive = false;
      return { status: 'skipped' };
    }
    const dispatch = await startVoiceCall(tx, {
      user: schedule.user,
      assistantId: schedule.voice.assistantId,
      phoneNumber: schedule.user.phoneNumber ?? null,
      callKey,
      executionId: null,
    });
    if (!dispatch.outbox) return { status: 'duplicate' };
    return { status: 'sent', outbox: dispatch.outbox };
  });
}
