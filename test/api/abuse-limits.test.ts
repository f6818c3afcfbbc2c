// Issue 16, item 4: what one account (or one address) can make Hearth do. Per-user quotas on calls, reminder
// schedules, alerts and exports (429 + Retry-After, counted in Redis so every web process shares them); a
// per-IP limit on webhook deliveries and on failed authentication, with the rejection audit sampled;
// webhook credentials checked before the body is read; retention for system_events and expired exports.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { UserExport } from '../../src/entities/user-export.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { processRetention } from '../../src/workers/retention.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { createTestPlatform, jobContext, type TestPlatform } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { makeSafetyContact, makeUser, makeVoice } from '../entities/fixtures.ts';

const SUPABASE_SECRET = 'limits-test-supabase-webhook-secret';
const VAPI_SECRET = 'limits-test-vapi-secret-0123';
let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform({
    QUOTA_CALLS_PER_DAY: '1',
    QUOTA_REMINDERS_PER_DAY: '1',
    QUOTA_ALERTS_PER_DAY: '1',
    QUOTA_EXPORTS_PER_DAY: '2',
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: '3',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
    SUPABASE_WEBHOOK_SECRET: SUPABASE_SECRET,
    VAPI_WEBHOOK_SECRET: VAPI_SECRET,
  });
});
afterAll(() => platform.close());

const em = () => platform.orm.em.fork();
let ipCounter = 0;
/** A fresh client address (the socket's peer, as @hono/node-server hands it to the app). */
const newIp = () => `192.0.2.${++ipCounter}`;
const from = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

async function send(
  method: string,
  path: string,
  o: { token?: string; body?: unknown; headers?: Record<string, string>; ip?: string; app?: TestPlatform['app'] } = {},
) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] ??= 'application/json';
  return (o.app ?? platform.app).request(
    path,
    { method, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) },
    from(o.ip ?? newIp()),
  );
}

async function signedIn() {
  const user = await makeUser(em(), { phoneNumber: '+14155550142', phoneConfirmedAt: new Date() });
  return { user, token: await userToken({ sub: user.id }) };
}

async function expectQuota(res: Response, what: RegExp) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(86_000); // the 24-hour window opened by the first one
  expect(retryAfter).toBeLessThanOrEqual(86_400);
  const body = await res.json();
  expect(body.error.code).toBe('TOO_MANY_REQUESTS');
  expect(body.error.message).toMatch(what);
  return body;
}

describe('per-user quotas (counted in Redis)', () => {
  it('exports: past the quota a 429 with Retry-After, nothing written, shared by every web process', async () => {
    const { user, token } = await signedIn();
    expect((await send('POST', '/v1/me/export', { token })).status).toBe(202);
    // Another web process on the same Redis (same prefix) sees the same count.
    const otherProcess = createApp({
      config: platform.config,
      orm: platform.orm,
      producer: platform.producer,
      log: platform.log,
    });
    expect((await send('POST', '/v1/me/export', { token, app: otherProcess })).status).toBe(202);
    await expectQuota(await send('POST', '/v1/me/export', { token }), /exports: at most 2 per 24 hours/);
    expect(await em().count(UserExport, { user: user.id })).toBe(2);
    expect(await platform.producer.connection.exists(`${platform.config.REDIS_PREFIX}:quota:exports:${user.id}`)).toBe(
      1,
    );
    // Per user: someone else still can.
    expect((await send('POST', '/v1/me/export', { token: (await signedIn()).token })).status).toBe(202);
  });

  it('calls: one a day here; the next is refused even once the first has ended', async () => {
    const { user, token } = await signedIn();
    const voice = await makeVoice(em());
    const body = { assistant_id: voice.assistantId };
    expect((await send('POST', '/v1/calls', { token, body })).status).toBe(202);
    await em().nativeUpdate(VoiceCall, { user: user.id }, { status: 'ended' });
    await expectQuota(await send('POST', '/v1/calls', { token, body }), /calls: at most 1 per 24 hours/);
    expect(await em().count(VoiceCall, { user: user.id })).toBe(1);
  });

  it('reminder schedules (SMS, email, voice) count; in-app check-ins do not', async () => {
    const { user, token } = await signedIn();
    const schedule = (reminder_method: string) => ({
      name: 'Evening',
      schedule_type: 'chat',
      cron_expression: '0 20 * * *',
      timezone: 'UTC',
      reminder_method,
      ...(reminder_method === 'sms' ? { phone_number: '+14155550142' } : {}),
    });
    expect((await send('POST', '/v1/schedules', { token, body: schedule('sms') })).status).toBe(201);
    await expectQuota(await send('POST', '/v1/schedules', { token, body: schedule('sms') }), /reminders/);
    expect((await send('POST', '/v1/schedules', { token, body: schedule('in_app') })).status).toBe(201);
    expect(await em().count(Schedule, { user: user.id })).toBe(2);
  });

  it("alerts: a user's own are counted (the 429 points at emergency services); a service's are not", async () => {
    const { user, token } = await signedIn();
    await makeSafetyContact(em(), user, { externalPhoneNumber: '+14155550199' });
    expect((await send('POST', '/v1/safety/alerts', { token, body: {} })).status).toBe(202);
    const refused = await expectQuota(await send('POST', '/v1/safety/alerts', { token, body: {} }), /alerts/);
    expect(refused.error.message).toMatch(/emergency number/);
    const service = await send('POST', '/v1/safety/alerts', { token: TEST_SERVICE_KEY, body: { user_id: user.id } });
    expect(service.status).toBe(202);
  });

  it('calls and reminders still go only to proven destinations (the earlier change), quota or not', async () => {
    const { token } = await signedIn();
    const voice = await makeVoice(em());
    const res = await send('POST', '/v1/calls', {
      token,
      body: { assistant_id: voice.assistantId, phone_number: '+14155550111' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].field).toBe('phone_number');
  });
});

describe('per-IP limits', () => {
  it('webhook deliveries: RATE_LIMIT_WEBHOOKS_PER_MINUTE per address, counted before the credential', async () => {
    const ip = newIp();
    const post = (at: string) =>
      send('POST', '/webhooks/supabase/auth-users', {
        ip: at,
        headers: { 'x-supabase-webhook-secret': 'wrong-wrong-wrong-wrong-wrong' },
        body: { type: 'INSERT', table: 'users', schema: 'auth', record: { id: randomUUID() } },
      });
    for (let i = 0; i < 3; i++) expect((await post(ip)).status).toBe(401);
    const limited = await post(ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(newIp())).status).toBe(401); // another address is not affected
  });

  it('failed authentication: past the limit an address gets 429 for the minute, even with a valid token', async () => {
    const ip = newIp();
    const { token } = await signedIn();
    for (let i = 0; i < 3; i++) expect((await send('GET', '/v1/me', { ip, token: 'not-a-token' })).status).toBe(401);
    const blocked = await send('GET', '/v1/me', { ip, token });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send('GET', '/v1/me', { ip: newIp(), token })).status).toBe(200);
    expect((await platform.app.request('/healthz', {}, from(ip))).status).toBe(200); // health checks are never limited
  });

  it('rejected webhook credentials are audited sampled: one row per address and minute, not one per request', async () => {
    const ip = newIp();
    const rows = () => em().count(SystemEvent, { eventType: 'webhook_signature_failed', ipAddress: ip });
    for (let i = 0; i < 3; i++) {
      const res = await send('POST', '/webhooks/vapi', {
        ip,
        headers: { 'x-vapi-secret': 'wrong-secret-wrong-secret' },
        body: { message: { type: 'status-update' } },
      });
      expect(res.status).toBe(401);
    }
    expect(await rows()).toBe(1);
  });
});

describe('webhook credentials before the body', () => {
  /** A body that never ends: a route that reads it before checking the credential never answers. */
  const endless = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"message":{"type":"status-update","padding":"'));
      },
    });

  it.each([
    ['/webhooks/vapi', { 'x-vapi-secret': 'wrong-secret-wrong-secret' }],
    ['/webhooks/vapi', {}],
    ['/webhooks/supabase/auth-users', { 'x-supabase-webhook-secret': 'wrong-wrong-wrong-wrong-wrong' }],
  ])('%s refuses a missing or wrong credential without reading the body', async (path, headers) => {
    const started = Date.now();
    const res = await Promise.race([
      platform.app.request(
        path,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: endless(),
          duplex: 'half',
        } as RequestInit,
        from(newIp()),
      ),
      new Promise<null>((r) => setTimeout(() => r(null), 3_000)),
    ]);
    expect(res, 'the route waited for the body').not.toBeNull();
    expect(res!.status).toBe(401);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('retention', () => {
  it('ages out system_events (rejections after 30 days), and empties exports that expired unfetched', async () => {
    const e = em();
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    const marker = randomUUID();
    const event = (type: string, age: number) =>
      e.create(SystemEvent, {
        eventType: type,
        eventCategory: 'auth',
        eventData: { marker },
        createdAt: daysAgo(age),
      });
    event('webhook_signature_failed', 31);
    event('webhook_signature_failed', 5);
    event('privacy_settings_changed', 366);
    event('privacy_settings_changed', 200);
    const { user } = await signedIn();
    const expired = e.create(UserExport, {
      user,
      status: 'ready',
      data: { everything: 'about the user' },
      readyAt: daysAgo(2),
      expiresAt: daysAgo(1),
    });
    const fresh = e.create(UserExport, {
      user,
      status: 'ready',
      data: { everything: 'still downloadable' },
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await e.flush();

    const counts = await processRetention({}, jobContext(platform, 'retention'), { systemEventDays: 365 });
    expect(counts).toMatchObject({ exports_expired: expect.any(Number), system_events_deleted: expect.any(Number) });
    const left = await em().find(SystemEvent, { eventData: { marker } }, { orderBy: { createdAt: 'asc' } });
    expect(left.map((r) => [r.eventType, Math.round((Date.now() - r.createdAt.getTime()) / 86_400_000)])).toEqual([
      ['privacy_settings_changed', 200],
      ['webhook_signature_failed', 5],
    ]);
    const after = await em().find(UserExport, { id: { $in: [expired.id, fresh.id] } }, { populate: ['data'] });
    const byId = new Map(after.map((x) => [x.id, x]));
    expect(byId.get(expired.id)).toMatchObject({ status: 'expired', data: null });
    expect(byId.get(fresh.id)?.data).toEqual({ everything: 'still downloadable' });
  });
});
