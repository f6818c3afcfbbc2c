// The schedules clock against a database of this file's own (it claims every due row there), with a
// simulated "now", BullMQ on this file's Redis prefix, and the real schedule-run workers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { makeSchedule, makeUser, makeVoice } from '../entities/fixtures.ts';
import { VoiceSchedule } from '../../src/entities/voice-schedule.entity.ts';
import { startSchedulesTick, tickSchedules, type EnqueueMode } from '../../src/clock/schedules-tick.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { scheduleRun, scheduleRunKey } from '../../src/queues/schedule-run.ts';
import { outboxJobId } from '../../src/queues/producer.ts';

let platform: TestPlatform;
let db: Awaited<ReturnType<typeof createOwnDatabase>>;
beforeAll(async () => {
  db = await createOwnDatabase('schedules');
  platform = await createTestPlatform({ DATABASE_URL: db.url });
});
afterAll(async () => {
  await platform.close();
  await db.drop();
});
// Each test starts from nothing due: earlier tests' schedules must not fire at a later simulated time.
afterEach(async () => {
  await platform.orm.em.fork().nativeUpdate(Schedule, {}, { isActive: false });
  await platform.orm.em.fork().nativeUpdate(VoiceSchedule, {}, { isActive: false });
});

const tickAt = (iso: string, enqueue: EnqueueMode = 'outbox', batchSize = 50) =>
  tickSchedules({
    em: platform.orm.em,
    producer: platform.producer,
    log: platform.log,
    batchSize,
    enqueue,
    now: () => new Date(iso),
  });

async function dueSchedules(count: number, dueAt: string, cron = '0 9 * * *') {
  const em = platform.orm.em.fork();
  const user = await makeUser(em);
  const rows = Array.from({ length: count }, (_, i) =>
    em.create(Schedule, {
      user,
      name: `s${i}`,
      scheduleType: 'chat',
      cronExpression: cron,
      timezone: 'UTC',
      nextRunAt: new Date(dueAt),
    }),
  );
  await em.flush();
  return rows;
}

const queue = () => platform.producer.queue(scheduleRun);
const jobIdOf = (id: string, dueAt: string) =>
  outboxJobId(scheduleRun, scheduleRunKey('schedule', id, new Date(dueAt)));

describe.each(['outbox', 'direct'] as const)('two clocks at once (%s enqueue)', (mode) => {
  it('fire each due slot exactly once and move next_run_at past now', async () => {
    const dueAt = mode === 'outbox' ? '2025-01-06T09:00:00.000Z' : '2025-02-06T09:00:00.000Z';
    const now = dueAt.replace('09:00:00', '09:00:20');
    const rows = await dueSchedules(300, dueAt);
    const results = await Promise.all([tickAt(now, mode, 40), tickAt(now, mode, 40), tickAt(now, mode, 40)]);
    expect(results.reduce((n, r) => n + r.claimed, 0)).toBe(300);
    expect(results.filter((r) => r.claimed > 0).length).toBeGreaterThan(1); // they really shared the work

    const jobs = await Promise.all(rows.map((r) => queue().getJob(jobIdOf(r.id, dueAt))));
    expect(jobs.filter(Boolean)).toHaveLength(300);
    // The run log row of each slot commits with the claim, pending until its job runs.
    const logged = await platform.orm.em.fork().find(ScheduleExecution, { schedule: rows.map((r) => r.id) });
    expect(logged).toHaveLength(300);
    expect(new Set(logged.map((e) => e.status))).toEqual(new Set(['pending']));
    const reloaded = await platform.orm.em.fork().find(Schedule, { id: rows.map((r) => r.id) });
    expect(new Set(reloaded.map((r) => r.nextRunAt!.toISOString()))).toEqual(new Set([dueAt.replace('-06T', '-07T')]));
    // Nothing is due any more.
    expect((await tickAt(now, mode)).claimed).toBe(0);
  });
});

it('a crash between enqueue and commit re-enqueues the same job ids, which BullMQ and the outbox ignore', async () => {
  const dueAt = '2025-03-03T09:00:00.000Z';
  const rows = await dueSchedules(5, dueAt);
  await tickAt('2025-03-03T09:00:05Z');
  // The state a rolled-back commit leaves: the rows are due again, the jobs are already in Redis.
  await platform.orm.em.fork().nativeUpdate(Schedule, { id: rows.map((r) => r.id) }, { nextRunAt: new Date(dueAt) });
  expect((await tickAt('2025-03-03T09:00:06Z')).claimed).toBe(5);
  const ids = rows.map((r) => jobIdOf(r.id, dueAt));
  expect(await platform.orm.em.fork().count(OutboxJob, { id: ids })).toBe(5);
  const waiting = await queue().getJobs(['waiting', 'active', 'completed', 'delayed']);
  expect(waiting.filter((j) => ids.includes(j.id!))).toHaveLength(5);
  expect(await platform.orm.em.fork().count(ScheduleExecution, { schedule: rows.map((r) => r.id) })).toBe(5);
});

it('after a 3-hour outage fires each schedule once and records the missed slots', async () => {
  const [row] = await dueSchedules(1, '2025-04-01T09:00:00.000Z', '*/15 * * * *');
  await tickAt('2025-04-01T12:05:00Z');
  const job = await queue().getJob(jobIdOf(row!.id, '2025-04-01T09:00:00.000Z'));
  expect(job!.data).toMatchObject({ missed_slots: 12 });
  const [logged, ...others] = await platform.orm.em.fork().find(ScheduleExecution, { schedule: row!.id });
  expect(others).toHaveLength(0);
  expect(logged).toMatchObject({
    executedAt: new Date('2025-04-01T09:00:00Z'),
    executionMetadata: { missed_slots: 12 },
  });
  expect(await queue().getJob(jobIdOf(row!.id, '2025-04-01T09:15:00.000Z'))).toBeUndefined();
  expect((await platform.orm.em.fork().findOneOrFail(Schedule, row!.id)).nextRunAt).toEqual(
    new Date('2025-04-01T12:15:00Z'),
  );
});

it('a schedule cron-parser cannot compute gets the fallback and a warning; a broken one is deactivated; others fire', async () => {
  const em = platform.orm.em.fork();
  const user = await makeUser(em);
  const dueAt = new Date('2026-04-04T14:00:00Z');
  const lordHowe = await makeSchedule(em, user, {
    cronExpression: '0 1 * * *',
    timezone: 'Australia/Lord_Howe',
    nextRunAt: dueAt,
  });
  const broken = await makeSchedule(em, user, { cronExpression: '0 0 31 2 *', timezone: 'UTC', nextRunAt: dueAt });
  const fine = await makeSchedule(em, user, { cronExpression: '0 14 * * *', timezone: 'UTC', nextRunAt: dueAt });
  const result = await tickAt('2026-04-04T14:00:10Z');
  expect(result).toEqual({ claimed: 3, fallbacks: 2 });

  const reload = (id: string) => platform.orm.em.fork().findOneOrFail(Schedule, id);
  expect((await reload(lordHowe.id)).nextRunAt).toEqual(new Date('2026-04-05T14:30:00Z'));
  expect((await reload(fine.id)).nextRunAt).toEqual(new Date('2026-04-05T14:00:00Z'));
  expect(await reload(broken.id)).toMatchObject({ isActive: false, nextRunAt: null });
  const events = await platform.orm.em.fork().find(SystemEvent, { user: user.id }, { orderBy: { eventType: 'asc' } });
  expect(events.map((e) => [e.eventType, e.severity])).toEqual([
    ['schedule_deactivated_no_next_run', 'error'],
    ['schedule_next_run_fallback', 'warning'],
  ]);
  expect(events[1]!.eventData).toMatchObject({
    schedule_id: lordHowe.id,
    fallback: 'croner',
    reason: expect.stringMatching(/loop limit/),
  });
  for (const s of [lordHowe, broken, fine])
    expect(await queue().getJob(jobIdOf(s.id, dueAt.toISOString()))).toBeTruthy();
});

it('end to end: two running clocks, real workers, one execution row per slot; pause and resume', {
  timeout: 90_000,
}, async () => {
  const workers = platform.startWorkers();
  let now = new Date('2025-05-05T09:00:30Z');
  const options = {
    em: platform.orm.em,
    producer: platform.producer,
    log: platform.log,
    batchSize: 25,
    enqueue: 'outbox' as const,
    intervalMs: 50,
    now: () => now,
  };
  const rows = await dueSchedules(60, '2025-05-05T09:00:00.000Z');
  const clocks = [startSchedulesTick(options), startSchedulesTick(options)];
  try {
    const ids = rows.map((r) => r.id);
    await eventually(
      async () => (await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids, status: 'sent' })) === 60,
      20_000,
    );

    // Pause one, let a day pass: only the others fire again.
    await platform.orm.em.fork().nativeUpdate(Schedule, { id: ids[0] }, { isActive: false });
    now = new Date('2025-05-06T09:00:30Z');
    await eventually(
      async () => (await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids, status: 'sent' })) === 119,
      20_000,
    );
    expect(await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids[0] })).toBe(1);

    // Resume (as PATCH does: next run computed from now), then the next day fires it again.
    await platform.orm.em
      .fork()
      .nativeUpdate(Schedule, { id: ids[0] }, { isActive: true, nextRunAt: new Date('2025-05-07T09:00:00Z') });
    now = new Date('2025-05-07T09:00:30Z');
    await eventually(
      async () => (await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids, status: 'sent' })) === 179,
      20_000,
    );
    expect(await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids[0] })).toBe(2);
    await new Promise((r) => setTimeout(r, 300)); // more ticks: still no duplicates
    expect(await platform.orm.em.fork().count(ScheduleExecution, { schedule: ids })).toBe(179);
  } finally {
    await Promise.all(clocks.map((c) => c.stop()));
    await workers.close(2_000);
  }
});

it('voice_schedules are claimed the same way (their record is the call, not an execution row)', async () => {
  const em = platform.orm.em.fork();
  const user = await makeUser(em, { phoneNumber: '+15555550142' });
  const voice = await makeVoice(em);
  const dueAt = '2025-06-02T18:00:00.000Z';
  const vs = em.create(VoiceSchedule, {
    user,
    voice,
    name: 'call',
    cronExpression: '0 19 * * 1-5',
    timezone: 'Europe/London',
    nextRunAt: new Date(dueAt),
  });
  await em.flush();
  expect((await tickAt('2025-06-02T18:00:03Z')).claimed).toBe(1);
  const job = await queue().getJob(outboxJobId(scheduleRun, scheduleRunKey('voice_schedule', vs.id, new Date(dueAt))));
  expect(job!.data).toEqual({ kind: 'voice_schedule', schedule_id: vs.id, due_at: dueAt, missed_slots: 0 });
  expect((await platform.orm.em.fork().findOneOrFail(VoiceSchedule, vs.id)).nextRunAt).toEqual(
    new Date('2025-06-03T18:00:00Z'),
  );
});
