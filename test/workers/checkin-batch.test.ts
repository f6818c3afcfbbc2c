// The batched in-app path of schedule-run: concurrent runs share one read and one statement, with the
// same rows and outcomes as the per-job path, and nothing half-written when the statement fails.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPlatform, jobContext, type TestPlatform } from '../support/platform.ts';
import { makeConversation, makeSchedule, makeUser } from '../entities/fixtures.ts';
import { processScheduleRun } from '../../src/workers/schedule-run.ts';
import { checkinOpening } from '../../src/domain/checkin.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import type { ReminderMethod } from '../../src/domain/enums.ts';
import { executionId } from '../../src/queues/schedule-run.ts';
import { checkinConversationId } from '../../src/workers/schedule-dispatch.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const due = '2026-06-02T07:00:00.000Z';
const run = (scheduleId: string, attempt = 1) =>
  processScheduleRun(
    { kind: 'schedule', schedule_id: scheduleId, due_at: due, missed_slots: 2 },
    jobContext(platform, 'schedule-run', randomUUID(), attempt),
  );
const fresh = () => platform.orm.em.fork();

/** A due in-app schedule with its pending execution, as the clock leaves them. */
async function dueSlot(opts: { method?: ReminderMethod; active?: boolean; claimed?: boolean; summary?: string } = {}) {
  const em = fresh();
  const user = await makeUser(em, opts.active === false ? { isActive: false, deletedAt: new Date() } : {});
  if (opts.summary) {
    em.create(ConversationSummary, { conversation: await makeConversation(em, user), user, summary: opts.summary });
    await em.flush();
  }
  const schedule = await makeSchedule(em, user, {
    reminderMethod: opts.method ?? 'in_app',
    contextSummary: 'sleep routine',
    name: `Evening ${user.id.slice(0, 4)}`,
  });
  if (opts.claimed !== false) {
    em.create(ScheduleExecution, {
      id: executionId(schedule.id, due),
      schedule,
      executedAt: new Date(due),
      status: 'pending',
      executionMetadata: { missed_slots: 2, job_id: 'clock' },
    });
    await em.flush();
  }
  return { user, schedule };
}

async function written(scheduleId: string) {
  const executions = await fresh().find(ScheduleExecution, { schedule: scheduleId });
  const conversations = await fresh().find(Conversation, { id: checkinConversationId(executionId(scheduleId, due)) });
  const messages = await fresh().find(Message, { conversation: conversations.map((c) => c.id) });
  const schedule = await fresh().findOneOrFail(Schedule, scheduleId);
  return { executions, conversations, messages, schedule };
}

/** Makes PostgreSQL refuse, for one user, updates of its schedules: the last write of the batch statement. */
async function refuseSchedulesOf(userId: string) {
  const name = `refuse_${userId.replaceAll('-', '')}`;
  const sql = fresh().getConnection();
  await sql.execute(
    `create function ${name}() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`,
  );
  await sql.execute(
    `create trigger ${name} before update on schedules for each row when (new.user_id = '${userId}') execute function ${name}()`,
  );
  return async () => {
    await sql.execute(`drop trigger ${name} on schedules`);
    await sql.execute(`drop function ${name}()`);
  };
}

describe('batched in-app check-ups', () => {
  it('a burst of N runs writes N executions sent, N conversations and N first messages, in shared statements', async () => {
    const slots = await Promise.all(
      Array.from({ length: 30 }, (_, i) => dueSlot(i % 3 === 0 ? { summary: `summary ${i}` } : {})),
    );
    const execute = vi.spyOn(platform.orm.em.getConnection(), 'execute');
    const results = await Promise.all(slots.map(({ schedule }) => run(schedule.id)));
    const statements = execute.mock.calls.filter(
      ([sql]) => typeof sql === 'string' && sql.includes('update schedule_executions'),
    ).length;
    execute.mockRestore();

    expect(results.map((r) => r.status)).toEqual(slots.map(() => 'sent'));
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThan(slots.length / 2);
    for (const [i, { user, schedule }] of slots.entries()) {
      const id = executionId(schedule.id, due);
      expect(results[i]).toEqual({ status: 'sent', executionId: id });
      const { executions, conversations, messages, schedule: after } = await written(schedule.id);
      expect(executions).toHaveLength(1);
      expect(executions[0]).toMatchObject({
        id,
        status: 'sent',
        executionMetadata: { missed_slots: 2, job_id: 'clock', conversation_id: checkinConversationId(id) },
      });
      expect(conversations).toHaveLength(1);
      expect(conversations[0]).toMatchObject({
        title: schedule.name,
        sessionType: 'check_in',
        status: 'active',
        messageCount: 1,
      });
      expect(conversations[0]!.user.id).toBe(user.id);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        role: 'assistant',
        content: checkinOpening({
          scheduleName: schedule.name,
          contextSummary: 'sleep routine',
          latestSummary: i % 3 === 0 ? `summary ${i}` : null,
        }),
      });
      expect(messages[0]!.user.id).toBe(user.id);
      expect(after.lastRunAt).toEqual(new Date(due));
    }
  });

  it('runs of the same slot, in one burst or later, start it once; the others are duplicates', async () => {
    const { schedule } = await dueSlot();
    const others = await Promise.all([dueSlot(), dueSlot()]);
    const results = await Promise.all(
      [schedule, others[0]!.schedule, schedule, others[1]!.schedule, schedule].map((s) => run(s.id)),
    );
    expect(
      results
        .filter((_, i) => i % 2 === 0)
        .map((r) => r.status)
        .sort(),
    ).toEqual(['duplicate', 'duplicate', 'sent']);
    expect((await run(schedule.id)).status).toBe('duplicate');
    const { executions, conversations, messages } = await written(schedule.id);
    expect(executions.map((e) => e.status)).toEqual(['sent']);
    expect(conversations).toHaveLength(1);
    expect(messages).toHaveLength(1);
  });

  it('a slot whose execution was already sent is a no-op', async () => {
    const { schedule } = await dueSlot();
    const em = fresh();
    const execution = await em.findOneOrFail(ScheduleExecution, executionId(schedule.id, due));
    execution.status = 'sent';
    await em.flush();
    expect(await run(schedule.id)).toEqual({ status: 'duplicate', executionId: execution.id });
    const { conversations, schedule: after } = await written(schedule.id);
    expect(conversations).toHaveLength(0);
    expect(after.lastRunAt).toBeNull();
  });

  it('slots it does not cover in the same burst take the per-job path: no execution yet, a gone user, sms', async () => {
    const [plain, unclaimed, gone, sms] = await Promise.all([
      dueSlot(),
      dueSlot({ claimed: false }),
      dueSlot({ active: false }),
      dueSlot({ method: 'sms' }),
    ]);
    const results = await Promise.all([plain, unclaimed, gone, sms].map(({ schedule }) => run(schedule.id)));
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'skipped', 'sent']);
    expect((await written(unclaimed!.schedule.id)).messages).toHaveLength(1);
    expect((await written(gone!.schedule.id)).conversations).toHaveLength(0);
    expect((await written(sms!.schedule.id)).conversations).toHaveLength(0);
  });

  it('a failing statement writes nothing of its slot (all or nothing); the job fails, retries and then succeeds', async () => {
    const slots = await Promise.all(Array.from({ length: 6 }, () => dueSlot()));
    const refused = slots[3]!;
    const allow = await refuseSchedulesOf(refused.user.id);
    let results: PromiseSettledResult<Awaited<ReturnType<typeof run>>>[];
    try {
      results = await Promise.allSettled(slots.map(({ schedule }) => run(schedule.id)));
    } finally {
      await allow();
    }
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const after = await written(refused.schedule.id);
    // The schedule update came last in the statement: the execution and the conversation went with it.
    expect(after.executions.map((e) => e.status)).toEqual(['pending']);
    expect(after.conversations).toHaveLength(0);
    expect(after.messages).toHaveLength(0);
    expect(after.schedule.lastRunAt).toBeNull();
    for (const [i, { schedule }] of slots.entries())
      if (i !== 3) expect((await written(schedule.id)).messages).toHaveLength(1);

    expect((await run(refused.schedule.id, 2)).status).toBe('sent');
    expect((await written(refused.schedule.id)).messages).toHaveLength(1);
  });
});
