import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, jobContext, type TestPlatform } from '../support/platform.ts';
import { makeConversation, makeUser } from '../entities/fixtures.ts';
import { recomputeEngagement as recompute, XP_POINTS } from '../../src/domain/engagement.ts';
import { ActivityEvent } from '../../src/entities/activity-event.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { engagementUpdate, recordActivity } from '../../src/queues/engagement-update.ts';
import { recomputeEngagement } from '../../src/queues/recompute-engagement.ts';
import type { Payload } from '../../src/queues/define-job.ts';
import { processEngagementUpdate } from '../../src/workers/engagement-update.ts';
import { deterministicUuid } from '../../src/lib/ids.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

type Activity = Payload<typeof engagementUpdate>;
const activity = (userId: string, iso: string, over: Partial<Activity> = {}): Activity => ({
  user_id: userId,
  kind: 'message',
  source_id: randomUUID(),
  conversation_id: null,
  occurred_at: new Date(iso).toISOString(),
  crisis: false,
  minutes: null,
  ...over,
});
const run = (a: Activity) => processEngagementUpdate(a, jobContext(platform, engagementUpdate.name));
const reloadUser = (id: string) => platform.orm.em.fork().findOneOrFail(User, id);

describe('engagement-update', () => {
  it('keeps streak, XP, last activity, usage and conversation duration', async () => {
    const user = await makeUser(platform.orm.em.fork());
    const conversation = await makeConversation(platform.orm.em.fork(), user);
    await run(activity(user.id, '2026-03-01T10:00Z', { conversation_id: conversation.id }));
    await run(activity(user.id, '2026-03-01T10:25Z', { conversation_id: conversation.id }));
    await run(activity(user.id, '2026-03-02T09:00Z', { kind: 'checkin_response' }));
    await run(activity(user.id, '2026-03-03T09:00Z', { kind: 'call_completed', minutes: 12 }));
    const u = await reloadUser(user.id);
    expect(u).toMatchObject({
      currentStreak: 3,
      xp: 2 * XP_POINTS.message + XP_POINTS.checkin_response + XP_POINTS.call_completed,
    });
    expect(u.lastActiveAt).toEqual(new Date('2026-03-03T09:00Z'));
    const profiles = await platform.orm.em.fork().find(UserServiceProfile, { user: user.id });
    const usage = Object.fromEntries(profiles.map((p) => [p.serviceType, p.usageStats]));
    expect(usage).toEqual({
      chat: { messages: 2, conversations: 1 },
      scheduling: { checkins_answered: 1 },
      voice: { calls: 1, minutes: 12 },
    });
    expect((await platform.orm.em.fork().findOneOrFail(Conversation, conversation.id)).totalDurationMinutes).toBe(25);
  });

  it('counts a duplicated event once (the database refuses the second)', async () => {
    const user = await makeUser(platform.orm.em.fork());
    const a = activity(user.id, '2026-03-01T10:00Z');
    expect(await run(a)).toMatchObject({ counted: true });
    expect(await run(a)).toEqual({ skipped: 'already counted' });
    expect(await platform.orm.em.fork().count(ActivityEvent, { user: user.id })).toBe(1);
    expect((await reloadUser(user.id)).xp).toBe(XP_POINTS.message);
  });

  it('an event arriving out of order refolds the history to the same values as a recompute', async () => {
    const user = await makeUser(platform.orm.em.fork());
    const events = ['2026-03-01T10:00Z', '2026-03-03T10:00Z', '2026-03-02T10:00Z'].map((d) => activity(user.id, d));
    for (const e of events) await run(e);
    const u = await reloadUser(user.id);
    const expected = recompute(
      events.map((e) => ({ at: new Date(e.occurred_at), kind: e.kind, zone: 'UTC', crisis: e.crisis })),
    );
    expect(u).toMatchObject({ currentStreak: 3, xp: expected.xp });
    expect(expected.currentStreak).toBe(3);
  });

  it('gives no XP for crisis activity, and a check-up after a missed day restarts the streak at 1', async () => {
    const user = await makeUser(platform.orm.em.fork());
    await run(activity(user.id, '2026-03-01T10:00Z', { crisis: true }));
    expect(await reloadUser(user.id)).toMatchObject({ xp: 0, currentStreak: 1 });
    await run(activity(user.id, '2026-03-02T10:00Z'));
    await run(activity(user.id, '2026-03-04T10:00Z', { kind: 'checkin_response' }));
    expect((await reloadUser(user.id)).currentStreak).toBe(1);
  });

  it('uses the zone of the user’s active schedule for local days', async () => {
    const em = platform.orm.em.fork();
    const user = await makeUser(em);
    em.create((await import('../../src/entities/schedule.entity.ts')).Schedule, {
      user,
      name: 'evening',
      scheduleType: 'chat',
      cronExpression: '0 20 * * *',
      timezone: 'America/New_York',
      reminderMethod: 'in_app',
    });
    await em.flush();
    // 23:30 and 00:30 UTC are the same New York evening: one day, not two.
    await run(activity(user.id, '2026-03-01T23:30Z'));
    await run(activity(user.id, '2026-03-02T00:30Z'));
    expect((await reloadUser(user.id)).currentStreak).toBe(1);
    expect(
      (await platform.orm.em.fork().findOneOrFail(ActivityEvent, { user: user.id }, { orderBy: { occurredAt: 'asc' } }))
        .zone,
    ).toBe('America/New_York');
  });

  it('skips a deleted user', async () => {
    expect(await run(activity(randomUUID(), '2026-03-01T10:00Z'))).toEqual({ skipped: 'user deleted' });
  });
});

describe('durable recording and the recompute job', () => {
  it('recordActivity enqueues once per cause, and the worker counts it', async () => {
    platform.startWorkers();
    const user = await makeUser(platform.orm.em.fork());
    const a = activity(user.id, new Date().toISOString());
    const em = platform.orm.em.fork();
    const row = recordActivity(em, a);
    await em.flush();
    await platform.producer.relay(row);
    await eventually(async () => (await reloadUser(user.id)).xp === XP_POINTS.message);
    expect(row.id).toBe(deterministicUuid(`engagement-update:message:${a.source_id}`));
  });

  it('recompute corrects a drifted value and reports it', async () => {
    const user = await makeUser(platform.orm.em.fork());
    await run(activity(user.id, '2026-03-01T10:00Z'));
    await platform.orm.em.fork().nativeUpdate(User, { id: user.id }, { xp: 999 });
    const jobId = await platform.producer.enqueue(recomputeEngagement, { user_id: user.id });
    const report = await eventually(() =>
      platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`recompute-engagement:${jobId}`) }),
    );
    expect(report.eventData).toEqual({ users: 1, differences: 1 });
    expect((await reloadUser(user.id)).xp).toBe(XP_POINTS.message);
  });
});

describe('the API', () => {
  it('GET /v1/me shows streak, XP and usage; a streak whose last day is long past shows 0', async () => {
    const { userToken } = await import('../support/tokens.ts');
    const user = await makeUser(platform.orm.em.fork());
    const now = new Date();
    await run(activity(user.id, new Date(now.getTime() - 24 * 3600_000).toISOString()));
    await run(activity(user.id, now.toISOString()));
    const me = await (
      await platform.app.request('/v1/me', {
        headers: { authorization: `Bearer ${await userToken({ sub: user.id })}` },
      })
    ).json();
    expect(me).toMatchObject({
      id: user.id,
      synced: true,
      current_streak: 2,
      xp: 2 * XP_POINTS.message,
      usage: { chat: { stats: { messages: 2 } } },
    });

    const old = await makeUser(platform.orm.em.fork());
    await run(activity(old.id, '2026-01-01T10:00Z'));
    const stale = await (
      await platform.app.request('/v1/me', { headers: { authorization: `Bearer ${await userToken({ sub: old.id })}` } })
    ).json();
    expect(stale.current_streak).toBe(0);
  });

  it('POST /admin/api/engagement/recompute needs the admin token', async () => {
    const { TEST_ADMIN_TOKEN } = await import('../support/constants.ts');
    expect((await platform.app.request('/admin/api/engagement/recompute', { method: 'POST' })).status).toBe(401);
    const res = await platform.app.request('/admin/api/engagement/recompute', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    expect((await res.json()).job_id).toBeTruthy();
  });
});

describe('events at the same instant', () => {
  it('fold in (time, id) order whatever order they arrive in', async () => {
    const user = await makeUser(platform.orm.em.fork());
    const at = '2026-03-01T10:00:00.000Z';
    const events = [randomUUID(), randomUUID(), randomUUID()].map((source, i) =>
      activity(user.id, at, { source_id: source, kind: i === 1 ? 'checkin_response' : 'message' }),
    );
    for (const e of [...events].reverse()) await run(e);
    expect((await reloadUser(user.id)).xp).toBe(2 * XP_POINTS.message + XP_POINTS.checkin_response);
    const rows = await platform.orm.em
      .fork()
      .find(ActivityEvent, { user: user.id }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
    expect(rows.at(-1)!.xpAfter).toBe(2 * XP_POINTS.message + XP_POINTS.checkin_response);
  });
});
