import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { makeUser, makeVoice } from '../entities/fixtures.ts';
import { UserDestination } from '../../src/entities/user-destination.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import type { User } from '../../src/entities/user.entity.ts';

let platform: TestPlatform;
let user: User;
let token: string;
let assistantId: string;
beforeAll(async () => {
  platform = await createTestPlatform();
  const em = platform.orm.em.fork();
  user = await makeUser(em, { phoneNumber: '+14155550100', phoneConfirmedAt: new Date() });
  assistantId = (await makeVoice(em)).assistantId;
  token = await userToken({ sub: user.id });
});
afterAll(() => platform.close());

const call = (method: string, path: string, body?: unknown, bearer = token) =>
  platform.app.request(path, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const valid = {
  name: 'Morning',
  schedule_type: 'chat',
  cron_expression: '0 9 * * *',
  timezone: 'America/New_York',
  reminder_method: 'in_app',
};

async function expectFieldError(res: Response, field: string, pattern?: RegExp) {
  expect(res.status).toBe(400);
  const { error } = await res.json();
  expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
  if (pattern) expect(error.message).toMatch(pattern);
}

describe('/v1/schedules', () => {
  it('creates a schedule with its next run and the next five in UTC and local time', async () => {
    const res = await call('POST', '/v1/schedules', { ...valid, context_summary: 'sleep' });
    expect(res.status).toBe(201);
    const s = await res.json();
    expect(s).toMatchObject({
      name: 'Morning',
      is_active: true,
      timezone: 'America/New_York',
      context_summary: 'sleep',
    });
    expect(s.upcoming_runs).toHaveLength(5);
    expect(s.next_run_at).toBe(s.upcoming_runs[0].utc);
    expect(new Date(s.next_run_at).getTime()).toBeGreaterThan(Date.now());
    for (const run of s.upcoming_runs) expect(run.local).toMatch(/T09:00:00-0[45]:00$/);
  });

  it('refuses bad input with 400 naming the field', async () => {
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, cron_expression: '61 9 * * *' }),
      'cron_expression',
    );
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, cron_expression: '*/5 * * * *' }),
      'cron_expression',
      /15 minutes/,
    );
    await expectFieldError(await call('POST', '/v1/schedules', { ...valid, timezone: 'Mars/Olympus' }), 'timezone');
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, schedule_type: 'voice', reminder_method: 'voice' }),
      'assistant_id',
    );
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, reminder_method: 'voice', assistant_id: 'asst_nope' }),
      'assistant_id',
    );
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, reminder_method: 'sms', phone_number: '12' }),
      'phone_number',
    );
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, reminder_method: 'bell' }),
      'reminder_method',
    );
    await expectFieldError(await call('POST', '/v1/schedules', { ...valid, name: undefined }), 'name');
  });

  it('needs a phone number for sms and voice when the account has none', async () => {
    const em = platform.orm.em.fork();
    const other = await makeUser(em);
    const otherToken = await userToken({ sub: other.id });
    await expectFieldError(
      await call('POST', '/v1/schedules', { ...valid, reminder_method: 'sms' }, otherToken),
      'phone_number',
    );
    const own = { ...valid, reminder_method: 'sms', phone_number: '+442071838750' };
    // A number the user has not proven is refused…
    await expectFieldError(await call('POST', '/v1/schedules', own, otherToken), 'phone_number');
    // …and accepted once confirmed (POST /v1/me/destinations + the code: test/users/destinations.test.ts).
    await em
      .fork()
      .insert(UserDestination, { user: other.id, channel: 'sms', address: '+442071838750', verifiedAt: new Date() });
    const res = await call('POST', '/v1/schedules', own, otherToken);
    expect(res.status).toBe(201);
    // …and voice with an existing assistant on an account that has a phone is fine.
    expect(
      (
        await call('POST', '/v1/schedules', {
          ...valid,
          schedule_type: 'voice',
          reminder_method: 'voice',
          assistant_id: assistantId,
        })
      ).status,
    ).toBe(201);
  });

  it("shows, changes, pauses, resumes and deletes only the caller's own rows", async () => {
    const created = await (await call('POST', '/v1/schedules', valid)).json();
    const path = `/v1/schedules/${created.id}`;
    const stranger = await userToken({ sub: (await makeUser(platform.orm.em.fork())).id });
    expect((await call('GET', path, undefined, stranger)).status).toBe(404);
    expect((await call('PATCH', path, { is_active: false }, stranger)).status).toBe(404);
    expect((await call('DELETE', path, undefined, stranger)).status).toBe(404);
    expect((await call('GET', '/v1/schedules', undefined, stranger)).status).toBe(200);
    expect((await (await call('GET', '/v1/schedules', undefined, stranger)).json()).items).toEqual([]);

    const moved = await (await call('PATCH', path, { cron_expression: '30 20 * * 1', timezone: 'Asia/Tokyo' })).json();
    expect(moved.upcoming_runs[0].local).toMatch(/T20:30:00\+09:00$/);
    expect(moved.next_run_at).toBe(moved.upcoming_runs[0].utc);
    await expectFieldError(await call('PATCH', path, { cron_expression: '*/2 * * * *' }), 'cron_expression');

    const paused = await (await call('PATCH', path, { is_active: false })).json();
    expect(paused).toMatchObject({ is_active: false, next_run_at: null, upcoming_runs: [] });
    const resumed = await (await call('PATCH', path, { is_active: true })).json();
    expect(resumed.next_run_at).toBe(moved.next_run_at);

    expect((await call('GET', '/v1/schedules')).status).toBe(200);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
  });

  it('pages the run log, newest first', async () => {
    const created = await (await call('POST', '/v1/schedules', valid)).json();
    const em = platform.orm.em.fork();
    for (let day = 1; day <= 3; day++) {
      em.create(ScheduleExecution, {
        schedule: created.id,
        executedAt: new Date(`2026-06-0${day}T13:00:00Z`),
        status: 'sent',
      });
    }
    await em.flush();
    const page = await (await call('GET', `/v1/schedules/${created.id}/executions?per_page=2`)).json();
    expect(page).toMatchObject({ page: 1, per_page: 2, total: 3 });
    expect(page.items.map((e: { executed_at: string }) => e.executed_at)).toEqual([
      '2026-06-03T13:00:00.000Z',
      '2026-06-02T13:00:00.000Z',
    ]);
    const second = await (await call('GET', `/v1/schedules/${created.id}/executions?per_page=2&page=2`)).json();
    expect(second.items).toHaveLength(1);
    expect((await call('GET', `/v1/schedules/${randomUUID()}/executions`)).status).toBe(404);
    await expectFieldError(await call('GET', `/v1/schedules/${created.id}/executions?per_page=1000`), 'per_page');
  });

  it('needs a user token and a synced account', async () => {
    expect((await call('GET', '/v1/schedules', undefined, 'nope')).status).toBe(401);
    const unsynced = await userToken({ sub: randomUUID() });
    expect((await call('POST', '/v1/schedules', valid, unsynced)).status).toBe(409);
  });
});

describe('/v1/voice-schedules', () => {
  const body = () => ({
    name: 'Evening call',
    cron_expression: '0 19 * * *',
    timezone: 'Europe/London',
    assistant_id: assistantId,
  });

  it('creates, lists, pauses and deletes', async () => {
    const res = await call('POST', '/v1/voice-schedules', body());
    expect(res.status).toBe(201);
    const s = await res.json();
    expect(s).toMatchObject({ assistant_id: assistantId, is_active: true });
    expect(s.upcoming_runs).toHaveLength(5);
    expect((await (await call('GET', '/v1/voice-schedules')).json()).items.map((v: { id: string }) => v.id)).toContain(
      s.id,
    );
    expect(await (await call('PATCH', `/v1/voice-schedules/${s.id}`, { is_active: false })).json()).toMatchObject({
      is_active: false,
      next_run_at: null,
    });
    const stranger = await userToken({ sub: (await makeUser(platform.orm.em.fork())).id });
    expect((await call('GET', `/v1/voice-schedules/${s.id}`, undefined, stranger)).status).toBe(404);
    expect((await call('DELETE', `/v1/voice-schedules/${s.id}`)).status).toBe(204);
  });

  it('refuses an unknown assistant, a bad cron or zone, and an account without a phone', async () => {
    await expectFieldError(
      await call('POST', '/v1/voice-schedules', { ...body(), assistant_id: 'asst_nope' }),
      'assistant_id',
    );
    await expectFieldError(
      await call('POST', '/v1/voice-schedules', { ...body(), cron_expression: '* * * * *' }),
      'cron_expression',
    );
    await expectFieldError(await call('POST', '/v1/voice-schedules', { ...body(), timezone: 'Nowhere' }), 'timezone');
    const phoneless = await userToken({ sub: (await makeUser(platform.orm.em.fork())).id });
    await expectFieldError(await call('POST', '/v1/voice-schedules', body(), phoneless), 'phone_number');
  });
});
