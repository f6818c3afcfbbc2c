// Proven destinations: a reminder or a call goes only to an address the user proved (Auth-verified, or
// confirmed with a one-time code sent to it); a reminder uses the schedule's own address; a reminder that
// fails for good marks its execution failed.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule, makeUser } from '../entities/fixtures.ts';
import { userToken } from '../support/tokens.ts';
import { queued } from '../support/fake-twilio.ts';
import { eventually, jobContext as contextAt } from '../support/platform.ts';
import { jobContext, PUBLIC_BASE_URL, startSafetyWorld, TWILIO_TOKEN, type SafetyWorld } from '../safety/harness.ts';
import { UserDestination } from '../../src/entities/user-destination.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { processNotificationSend } from '../../src/workers/notification-send.ts';
import { twilioSignature } from '../../src/lib/notify/twilio.ts';
import { MAX_CODE_ATTEMPTS } from '../../src/domain/destinations.ts';

let world: SafetyWorld;
beforeAll(async () => {
  world = await startSafetyWorld({ workers: false });
});
afterAll(() => world?.close());

const em = () => world.platform.orm.em.fork();
const phone = () => `+4915${randomInt(10_000_000, 99_999_999)}`;
const api = async (method: string, path: string, sub: string, body?: unknown) =>
  world.platform.app.request(path, {
    method,
    headers: { authorization: `Bearer ${await userToken({ sub })}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const codeSentTo = (to: string) => {
  const text = world.twilio.requests.findLast((r) => r.form.To === to)?.form.Body ?? '';
  return /code is (\d{6})/.exec(text)?.[1];
};

describe('destinations', () => {
  it('a code sent by SMS confirms a number, stored only as a hash; then a schedule may remind there', async () => {
    const user = await makeUser(em());
    const number = phone();
    const schedule = { name: 'Noon', schedule_type: 'chat', cron_expression: '0 12 * * *', timezone: 'UTC' };
    const refused = await api('POST', '/v1/schedules', user.id, {
      ...schedule,
      reminder_method: 'sms',
      phone_number: number,
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.details[0].field).toBe('phone_number');

    const added = await api('POST', '/v1/me/destinations', user.id, { channel: 'sms', address: number });
    expect(added.status).toBe(201);
    const destination = await added.json();
    expect(destination).toMatchObject({ channel: 'sms', address: number, verified: false });
    const code = codeSentTo(number)!;
    expect(code).toMatch(/^\d{6}$/);
    const row = await em().findOneOrFail(UserDestination, destination.id);
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);

    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await api('POST', `/v1/me/destinations/${destination.id}/confirm`, user.id, { code: wrong });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0]).toMatchObject({ field: 'code' });
    // Someone else cannot confirm it, even with the right code.
    const stranger = await makeUser(em());
    expect((await api('POST', `/v1/me/destinations/${destination.id}/confirm`, stranger.id, { code })).status).toBe(
      404,
    );

    const ok = await api('POST', `/v1/me/destinations/${destination.id}/confirm`, user.id, { code });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ verified: true, code_expires_at: null });
    expect((await em().findOneOrFail(UserDestination, destination.id)).codeHash).toBeNull();

    const created = await api('POST', '/v1/schedules', user.id, {
      ...schedule,
      reminder_method: 'sms',
      phone_number: number,
    });
    expect(created.status).toBe(201);
  });

  it('wrong codes are limited; an expired code is gone; an Auth-verified address needs no code', async () => {
    const user = await makeUser(em(), { emailConfirmedAt: new Date() });
    const number = phone();
    const { id } = await (
      await api('POST', '/v1/me/destinations', user.id, { channel: 'sms', address: number })
    ).json();
    const code = codeSentTo(number)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i < MAX_CODE_ATTEMPTS; i++)
      expect((await api('POST', `/v1/me/destinations/${id}/confirm`, user.id, { code: wrong })).status).toBe(400);
    expect((await api('POST', `/v1/me/destinations/${id}/confirm`, user.id, { code: wrong })).status).toBe(410);
    // The right code is worthless now: a new one must be requested.
    expect((await api('POST', `/v1/me/destinations/${id}/confirm`, user.id, { code })).status).toBe(410);

    await api('POST', '/v1/me/destinations', user.id, { channel: 'sms', address: number });
    await em().nativeUpdate(UserDestination, id, { codeExpiresAt: new Date(Date.now() - 1000) });
    expect(
      (await api('POST', `/v1/me/destinations/${id}/confirm`, user.id, { code: codeSentTo(number)! })).status,
    ).toBe(410);

    const own = await api('POST', '/v1/me/destinations', user.id, {
      channel: 'email',
      address: user.email!.toUpperCase(),
    });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: null, verified: true });
    expect((await api('POST', '/v1/me/destinations', user.id, { channel: 'sms', address: '12345' })).status).toBe(400);
    expect((await api('POST', '/v1/me/destinations', user.id, { channel: 'fax', address: number })).status).toBe(400);
  });
});

describe('reminders go where the schedule says, and fail visibly', () => {
  async function reminder(
    method: 'sms' | 'email',
    data: Record<string, unknown>,
    userData: Record<string, unknown> = {},
  ) {
    const user = await makeUser(em(), {
      phoneNumber: phone(),
      phoneConfirmedAt: new Date(),
      emailConfirmedAt: new Date(),
      ...userData,
    });
    const schedule = await makeSchedule(em(), user, { reminderMethod: method, ...data });
    const execution = em().create(ScheduleExecution, { schedule: schedule.id, executedAt: new Date(), status: 'sent' });
    await em().persist(execution).flush();
    const payload = { user_id: user.id, channel: method, template: 'checkin_reminder', ref_id: execution.id } as const;
    return { user, execution, payload };
  }
  const executionRow = (id: string) => em().findOneOrFail(ScheduleExecution, id);

  it("an SMS goes to the schedule's confirmed number, with a status callback naming the execution", async () => {
    const number = phone();
    const { user, execution, payload } = await reminder('sms', { phoneNumber: number });
    await em().insert(UserDestination, { user: user.id, channel: 'sms', address: number, verifiedAt: new Date() });
    expect(await processNotificationSend(payload, jobContext(world.platform))).toMatchObject({ sent: true });
    const sent = world.twilio.requests.filter((r) => r.form.To === number);
    expect(sent).toHaveLength(1);
    expect(world.twilio.requests.some((r) => r.form.To === user.phoneNumber)).toBe(false);
    expect(sent[0]!.form.StatusCallback).toBe(`${PUBLIC_BASE_URL}/webhooks/twilio/status?execution=${execution.id}`);

    // Twilio reports it undelivered later: the execution fails with the reason.
    const url = sent[0]!.form.StatusCallback!;
    const params = { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' };
    const res = await world.platform.app.request(`/webhooks/twilio/status?execution=${execution.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TWILIO_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(204);
    expect(await executionRow(execution.id)).toMatchObject({
      status: 'failed',
      errorMessage: 'twilio undelivered code 30003',
    });
  });

  it('an unproven schedule address is never used: the execution fails naming why', async () => {
    const number = phone();
    const { execution, payload } = await reminder('sms', { phoneNumber: number });
    expect(await processNotificationSend(payload, jobContext(world.platform))).toEqual({
      skipped: 'unproven_destination',
    });
    expect(world.twilio.requests.some((r) => r.form.To === number)).toBe(false);
    expect((await executionRow(execution.id)).status).toBe('failed');
    expect((await executionRow(execution.id)).errorMessage).toMatch(/not one the user has proven/);
  });

  it('a permanent provider refusal is not retried and fails the execution; a transient one fails it on the last attempt', async () => {
    const { execution, payload } = await reminder('sms', {});
    world.twilio.respond = () => ({ status: 400, body: { code: 21211, message: 'invalid To' } });
    const first = processNotificationSend(payload, jobContext(world.platform));
    await expect(first).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(await executionRow(execution.id)).toMatchObject({ status: 'failed', errorMessage: 'twilio 400 code 21211' });

    const other = await reminder('sms', {});
    world.twilio.respond = () => ({ status: 503, body: { code: 20503 } });
    await expect(
      processNotificationSend(other.payload, contextAt(world.platform, 'notification-send', randomUUID(), 1)),
    ).rejects.toThrow(/twilio 503/);
    expect((await executionRow(other.execution.id)).status).toBe('sent');
    await expect(
      processNotificationSend(other.payload, contextAt(world.platform, 'notification-send', randomUUID(), 5)),
    ).rejects.toThrow(/twilio 503/);
    expect(await executionRow(other.execution.id)).toMatchObject({
      status: 'failed',
      errorMessage: 'twilio 503 code 20503',
    });
    world.twilio.respond = queued;
  });

  it("an email goes to the schedule's confirmed address", async () => {
    const address = `alt-${randomUUID().slice(0, 8)}@example.test`;
    const { user, payload } = await reminder('email', { email: address });
    await em().insert(UserDestination, { user: user.id, channel: 'email', address, verifiedAt: new Date() });
    await processNotificationSend(payload, jobContext(world.platform));
    await eventually(async () => world.smtp.mails.find((m) => m.to.includes(address)));
    expect(world.smtp.mails.some((m) => m.to.includes(user.email!))).toBe(false);
  });
});
