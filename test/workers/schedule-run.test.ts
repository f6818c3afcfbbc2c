// The schedule-run processor, called directly (the clock test runs it through BullMQ workers).
import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { makeConversation, makeSchedule, makeUser, makeVoice } from '../entities/fixtures.ts';
import { processScheduleRun } from '../../src/workers/schedule-run.ts';
import { recordCheckinResponse } from '../../src/workers/schedule-responses.ts';
import type { JobContext } from '../../src/workers/context.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { VoiceSchedule } from '../../src/entities/voice-schedule.entity.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { notificationSend } from '../../src/queues/notification-send.ts';
import type { Payload } from '../../src/queues/define-job.ts';
import { executionId, type scheduleRun } from '../../src/queues/schedule-run.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const ctx = (attempt = 1): JobContext => ({
  em: platform.orm.em.fork(),
  log: platform.log,
  queue: 'schedule-run',
  jobId: randomUUID(),
  attempt,
  producer: platform.producer,
});
const run = (p: Payload<typeof scheduleRun>, attempt = 1) => processScheduleRun(p, ctx(attempt));
const due = '2026-06-01T07:00:00.000Z';
const payload = (scheduleId: string, kind: 'schedule' | 'voice_schedule' = 'schedule') => ({
  kind,
  schedule_id: scheduleId,
  due_at: due,
  missed_slots: 0,
});
const executions = (scheduleId: string) => platform.orm.em.fork().find(ScheduleExecution, { schedule: scheduleId });

describe('in_app', () => {
  it('opens one check-in conversation using the context and the latest summary, however often it runs', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em);
    const old = await makeConversation(em, user);
    em.create(ConversationSummary, { conversation: old, user, summary: 'worried about the exam' });
    await em.flush();
    const schedule = await makeSchedule(em, user, { contextSummary: 'sleep routine', reminderMethod: 'in_app' });

    const results = await Promise.all([
      run(payload(schedule.id)),
      run(payload(schedule.id)),
      run(payload(schedule.id)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'sent']);

    const [execution, ...more] = await executions(schedule.id);
    expect(more).toHaveLength(0);
    expect(execution).toMatchObject({ id: executionId(schedule.id, due), status: 'sent', executedAt: new Date(due) });
    const conversationId = execution!.executionMetadata.conversation_id as string;
    const conversation = await platform.orm.em.fork().findOneOrFail(Conversation, conversationId);
    expect(conversation.sessionType).toBe('check_in');
    const messages = await platform.orm.em.fork().find(Message, { conversation: conversationId });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ role: 'assistant' });
    expect(messages[0]!.content).toContain('sleep routine');
    expect(messages[0]!.content).toContain('worried about the exam');
    expect((await platform.orm.em.fork().findOneOrFail(Schedule, schedule.id)).lastRunAt).toEqual(new Date(due));

    // Response tracking, as the chat code calls it.
    const tracking = platform.orm.em.fork();
    expect(await recordCheckinResponse(tracking, { conversationId, at: new Date('2026-06-01T07:12:00Z') })).toBe(
      'recorded',
    );
    expect(
      await recordCheckinResponse(tracking, {
        conversationId,
        at: new Date('2026-06-01T07:40:00Z'),
        endedAt: new Date('2026-06-01T07:52:00Z'),
      }),
    ).toBe('already_recorded');
    expect(await recordCheckinResponse(tracking, { conversationId: randomUUID(), at: new Date() })).toBe(
      'not_a_checkin',
    );
    const [answered] = await executions(schedule.id);
    expect(answered).toMatchObject({
      status: 'completed',
      userResponded: true,
      responseTimeMinutes: 12,
      sessionDurationMinutes: 40,
    });
  });
});

describe('voice', () => {
  it('writes one queued voice call and enqueues vapi-call durably, keyed by the call', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em, { phoneNumber: '+15555550123', phoneConfirmedAt: new Date() });
    const voice = await makeVoice(em);
    const schedule = await makeSchedule(em, user, {
      scheduleType: 'voice',
      reminderMethod: 'voice',
      assistantId: voice.assistantId,
    });
    await run(payload(schedule.id));
    await run(payload(schedule.id));
    const calls = await platform.orm.em.fork().find(VoiceCall, { user: user.id });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'queued', phoneNumber: '+15555550123', channel: 'outbound_phone' });
    const [execution] = await executions(schedule.id);
    expect(execution!.executionMetadata.voice_call_id).toBe(calls[0]!.id);
    const outbox = await platform.orm.em.fork().findOneOrFail(OutboxJob, outboxJobId(vapiCall, calls[0]!.id));
    expect(outbox.payload).toEqual({
      voice_call_id: calls[0]!.id,
      purpose: 'scheduled_checkin',
      schedule_execution_id: execution!.id,
    });

    expect(
      await recordCheckinResponse(platform.orm.em.fork(), {
        voiceCallId: calls[0]!.id,
        at: new Date('2026-06-01T07:03:00Z'),
      }),
    ).toBe('recorded');
    expect((await executions(schedule.id))[0]).toMatchObject({ userResponded: true, responseTimeMinutes: 3 });
  });

  it('fails the run for good (error recorded) when the assistant does not exist', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em, { phoneNumber: '+15555550124', phoneConfirmedAt: new Date() });
    const schedule = await makeSchedule(em, user, { reminderMethod: 'voice', assistantId: 'asst_missing' });
    await expect(run(payload(schedule.id))).rejects.toBeInstanceOf(UnrecoverableError);
    expect((await executions(schedule.id))[0]).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringMatching(/assistant/),
    });
    expect(await platform.orm.em.fork().count(VoiceCall, { user: user.id })).toBe(0);
  });

  it('a voice_schedules slot places one call', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em, { phoneNumber: '+15555550125', phoneConfirmedAt: new Date() });
    const voice = await makeVoice(em);
    const vs = em.create(VoiceSchedule, {
      user,
      voice,
      name: 'Evening call',
      cronExpression: '0 19 * * *',
      timezone: 'UTC',
    });
    await em.flush();
    const [first, second] = [await run(payload(vs.id, 'voice_schedule')), await run(payload(vs.id, 'voice_schedule'))];
    expect([first.status, second.status]).toEqual(['sent', 'duplicate']);
    expect(await platform.orm.em.fork().count(VoiceCall, { user: user.id, status: 'queued' })).toBe(1);
  });

  it('a voice_schedules slot locks only its schedule: work holding its user or voice row does not block it', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em, { phoneNumber: '+15555550126', phoneConfirmedAt: new Date() });
    const voice = await makeVoice(em);
    const vs = em.create(VoiceSchedule, {
      user,
      voice,
      name: 'Morning call',
      cronExpression: '0 7 * * *',
      timezone: 'UTC',
    });
    await em.flush();
    // Another transaction in flight that references the user (a message's KEY SHARE) and edits the voice.
    const other = platform.orm.em.fork();
    await other.begin();
    const tx = other.getTransactionContext();
    await other.getConnection().execute('select 1 from users where id = ? for key share', [user.id], 'all', tx);
    await other.getConnection().execute('select 1 from voices where id = ? for no key update', [voice.id], 'all', tx);
    try {
      const outcome = await Promise.race([
        run(payload(vs.id, 'voice_schedule')),
        new Promise((r) => setTimeout(() => r('blocked'), 3_000)),
      ]);
      expect(outcome).toMatchObject({ status: 'sent' });
    } finally {
      await other.rollback();
    }
  });
});

describe('sms and email', () => {
  it('enqueues one notification-send per execution', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em);
    const schedule = await makeSchedule(em, user, { reminderMethod: 'email' });
    await run(payload(schedule.id));
    await run(payload(schedule.id));
    const id = executionId(schedule.id, due);
    const outbox = await platform.orm.em.fork().findOneOrFail(OutboxJob, outboxJobId(notificationSend, id));
    expect(outbox.payload).toEqual({ user_id: user.id, channel: 'email', template: 'checkin_reminder', ref_id: id });
    expect((await executions(schedule.id))[0]).toMatchObject({ status: 'sent' });
  });
});

describe('users who are gone', () => {
  it('skips the run and deactivates the schedule of an inactive or deleted user', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em, { isActive: false, deletedAt: new Date() });
    const schedule = await makeSchedule(em, user);
    expect((await run(payload(schedule.id))).status).toBe('skipped');
    expect((await executions(schedule.id))[0]).toMatchObject({ status: 'skipped' });
    expect((await platform.orm.em.fork().findOneOrFail(Schedule, schedule.id)).isActive).toBe(false);
    expect(await platform.orm.em.fork().count(Conversation, { user: user.id })).toBe(0);
  });

  it('a deleted schedule is a no-op', async () => {
    expect((await run(payload(randomUUID()))).status).toBe('gone');
  });
});
