// A user message is activity; a crisis message earns no XP; a message in a check-in conversation answers
// the check-up (schedule_executions) and counts as an answered check-up. Through the API and real workers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { call, chatUser, newConversation, postMessage } from './helpers.ts';
import { makeSchedule } from '../entities/fixtures.ts';
import { ActivityEvent } from '../../src/entities/activity-event.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { User } from '../../src/entities/user.entity.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
  platform.startWorkers();
});
afterAll(() => platform.close());

const userRow = (id: string) => platform.orm.em.fork().findOneOrFail(User, id);

it('counts a user message as activity with XP, and a crisis message without', async () => {
  const alice = await chatUser(platform);
  const conversation = await newConversation(platform, alice);
  await postMessage(platform, alice, conversation, 'I planted tomatoes with my sister today');
  // XP stated here, not taken from src/domain/engagement.ts: a changed rule must change this test too.
  await eventually(async () => (await userRow(alice.id)).xp === 2); // one message: 2 XP
  expect((await userRow(alice.id)).currentStreak).toBe(1);

  const bob = await chatUser(platform);
  const c2 = await newConversation(platform, bob);
  await postMessage(platform, bob, c2, 'I want to kill myself tonight');
  await eventually(() => platform.orm.em.fork().findOne(ActivityEvent, { user: bob.id }));
  expect(await userRow(bob.id)).toMatchObject({ xp: 0, currentStreak: 1 });
});

it('a message in a check-in conversation answers its check-up once', async () => {
  const carol = await chatUser(platform);
  const res = await call(platform, carol, 'POST', '/v1/conversations', { title: 'Check-in', session_type: 'check_in' });
  const conversationId = (await res.json()).id;
  const em = platform.orm.em.fork();
  const schedule = await makeSchedule(em, await em.findOneOrFail(User, carol.id));
  const execution = em.create(ScheduleExecution, {
    schedule,
    executedAt: new Date(Date.now() - 10 * 60_000),
    status: 'sent',
    executionMetadata: { conversation_id: conversationId },
  });
  await em.flush();

  await postMessage(platform, carol, conversationId, 'Slept better, thanks');
  await postMessage(platform, carol, conversationId, 'Still a bit tired');
  await eventually(async () => (await platform.orm.em.fork().count(ActivityEvent, { user: carol.id })) === 3);
  const answered = await platform.orm.em.fork().findOneOrFail(ScheduleExecution, execution.id);
  expect(answered).toMatchObject({ userResponded: true, status: 'completed' });
  expect(answered.responseTimeMinutes).toBeGreaterThanOrEqual(9);
  const kinds = (await platform.orm.em.fork().find(ActivityEvent, { user: carol.id })).map((a) => a.kind).sort();
  expect(kinds).toEqual(['checkin_response', 'message', 'message']);
  expect((await userRow(carol.id)).xp).toBe(24); // two messages (2 XP each) and an answered check-up (20 XP)
});
