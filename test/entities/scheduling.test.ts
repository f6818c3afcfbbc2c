// schedules, schedule_executions.
import { randomUUID } from 'node:crypto';
import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { makeSchedule, makeUser, openTestOrm, reload } from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

describe('schedules', () => {
  it('round-trips every column', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const schedule = await makeSchedule(em, user, {
      description: 'how did you sleep?',
      scheduleType: 'voice',
      reminderMethod: 'sms',
      phoneNumber: '+15555550111',
      email: 'me@example.test',
      assistantId: 'asst_not_checked',
      customMetadata: { quietHours: { start: '22:00', end: '07:00' } },
      contextSummary: 'exam week',
    });
    const loaded = await reload(orm, Schedule, schedule.id);
    expect(loaded).toMatchObject({
      name: 'Morning check-in',
      scheduleType: 'voice',
      cronExpression: '0 9 * * *',
      timezone: 'Europe/Berlin',
      reminderMethod: 'sms',
      phoneNumber: '+15555550111',
      assistantId: 'asst_not_checked',
      isActive: true,
      customMetadata: { quietHours: { start: '22:00', end: '07:00' } },
      contextSummary: 'exam week',
    });
    expect(loaded.nextRunAt).toEqual(schedule.nextRunAt);
    expect(loaded.user.id).toBe(user.id);
  });

  it('defaults to UTC and in-app reminders; rejects an unknown type and user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const schedule = em.create(Schedule, { user, name: 'x', scheduleType: 'chat', cronExpression: '* * * * *' });
    await em.flush();
    const loaded = await reload(orm, Schedule, schedule.id);
    expect(loaded).toMatchObject({ timezone: 'UTC', reminderMethod: 'in_app', nextRunAt: null });
    expect(loaded.customMetadata).toEqual({});

    await expect(
      orm.em
        .fork()
        .execute(
          `insert into schedules (user_id, name, schedule_type, cron_expression) values (?, 'x', 'video', '* * * * *')`,
          [user.id],
        ),
    ).rejects.toThrow(CheckConstraintViolationException);
    await expect(makeSchedule(orm.em.fork(), user, { user: randomUUID() })).rejects.toThrow(
      ForeignKeyConstraintViolationException,
    );
  });
});

describe('schedule_executions', () => {
  it('round-trips, and a slot runs once', async () => {
    const em = orm.em.fork();
    const schedule = await makeSchedule(em, await makeUser(em));
    const slot = new Date('2026-07-01T07:00:00.000Z');
    const execution = em.create(ScheduleExecution, {
      schedule,
      executedAt: slot,
      status: 'completed',
      userResponded: true,
      responseTimeMinutes: 4,
      sessionDurationMinutes: 12,
      executionMetadata: { jobId: 'schedule-run:x' },
    });
    await em.flush();
    const loaded = await reload(orm, ScheduleExecution, execution.id);
    expect(loaded).toMatchObject({
      status: 'completed',
      userResponded: true,
      responseTimeMinutes: 4,
      sessionDurationMinutes: 12,
      executionMetadata: { jobId: 'schedule-run:x' },
      errorMessage: null,
    });
    expect(loaded.executedAt).toEqual(slot);
    expect(loaded.schedule.id).toBe(schedule.id);

    const again = orm.em.fork();
    again.create(ScheduleExecution, { schedule: schedule.id, executedAt: slot });
    await expect(again.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });

  it('requires an error on failure and rejects negative minutes and an unknown schedule', async () => {
    const em = orm.em.fork();
    const schedule = await makeSchedule(em, await makeUser(em));
    const failed = orm.em.fork();
    failed.create(ScheduleExecution, { schedule: schedule.id, executedAt: new Date(), status: 'failed' });
    await expect(failed.flush()).rejects.toThrow(CheckConstraintViolationException);

    const negative = orm.em.fork();
    negative.create(ScheduleExecution, { schedule: schedule.id, executedAt: new Date(), responseTimeMinutes: -1 });
    await expect(negative.flush()).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(ScheduleExecution, { schedule: randomUUID(), executedAt: new Date() });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });

  it('is removed with its schedule', async () => {
    const em = orm.em.fork();
    const schedule = await makeSchedule(em, await makeUser(em));
    const execution = em.create(ScheduleExecution, { schedule, executedAt: new Date() });
    await em.flush();
    await orm.em.fork().nativeDelete(Schedule, { id: schedule.id });
    expect(await orm.em.fork().findOne(ScheduleExecution, execution.id)).toBeNull();
  });
});
