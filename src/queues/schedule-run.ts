// Runs one slot of a user schedule: writes its schedule_executions row and starts the check-up (voice
// call, notification, or check-in conversation). Enqueued by: the clock's schedules tick (durably, jobKey
// `${kind}:${schedule_id}:${due_at}`). Processed by: src/workers/schedule-run.ts
import { z } from 'zod';
import { deterministicUuid } from '../lib/ids.ts';
import { defaultJobOptions, defineJob } from './define-job.ts';

export const SCHEDULE_KINDS = ['schedule', 'voice_schedule'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const scheduleRun = defineJob({
  name: 'schedule-run',
  schema: z.object({
    kind: z.enum(SCHEDULE_KINDS),
    schedule_id: z.uuid(),
    /** The slot (UTC) the schedule was due at; with the id, the run's identity. */
    due_at: z.iso.datetime(),
    /** Slots after due_at that passed while no clock ran; they are not fired, only counted. */
    missed_slots: z.number().int().min(0),
  }),
  options: defaultJobOptions,
  durable: true,
  // In-app check-ups of jobs in flight together share one statement (src/workers/checkin-batch.ts), so
  // slots are batch size: at 40, 100,000 take 26 s (bench/schedules.ts). Not more: other channels still
  // hold a pooled connection per job (DATABASE_POOL_MAX 10).
  concurrency: 40,
});

/** The job key of a run: the same schedule slot always gets the same job id. */
export const scheduleRunKey = (kind: ScheduleKind, scheduleId: string, dueAt: Date) =>
  `${kind}:${scheduleId}:${dueAt.toISOString()}`;

/** The schedule_executions id of a slot (the clock writes it pending; the job moves it on). */
export const executionId = (scheduleId: string, dueAt: string) =>
  deterministicUuid(`schedule-execution:${scheduleId}:${new Date(dueAt).toISOString()}`);
