// Webhook and self-sync, end to end: API -> outbox -> BullMQ -> user-sync worker -> fake Supabase Auth
// admin API -> users / user_sync_logs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, jobContext } from '../support/platform.ts';
import { createUserSyncPlatform, TEST_WEBHOOK_SECRET, type UserSyncPlatform } from '../support/user-sync-platform.ts';
import { authUsersWebhook as webhook, type FakeAuthUser } from '../support/fake-supabase-auth.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { UserSession } from '../../src/entities/user-session.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { userSync } from '../../src/queues/user-sync.ts';
import { processUserSync } from '../../src/workers/user-sync.ts';
import { createAuthAdmin } from '../../src/lib/supabase-admin.ts';

let s: UserSyncPlatform;
beforeAll(async () => {
  s = await createUserSyncPlatform();
  s.platform.startWorkers();
});
afterAll(() => s.close());

const em = () => s.platform.orm.em.fork();

const deliver = (
  body: unknown,
  headers: Record<string, string> = { 'x-supabase-webhook-secret': TEST_WEBHOOK_SECRET },
) =>
  s.platform.app.request('/webhooks/supabase/auth-users', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function completed(jobId: string) {
  await eventually(
    async () => (await (await s.platform.producer.queue(userSync).getJob(jobId))?.getState()) === 'completed',
    15_000,
  );
}

/** Delivers a webhook and waits until its job has run. */
async function sync(body: unknown) {
  const res = await deliver(body);
  expect(res.status).toBe(202);
  const { job_id } = await res.json();
  await completed(job_id);
  return job_id as string;
}

const logsOf = (userId: string) => em().find(UserSyncLog, { user: userId }, { orderBy: { createdAt: 'asc' } });

describe('webhook', () => {
  it('INSERT creates the user with defaults, logs the fields it set, and keeps secrets out of everything', async () => {
    const u = s.fake.add({
      phone: '15555550123',
      user_metadata: { full_name: 'Ada Lovelace', avatar_url: 'https://cdn.example.test/ada.png' },
    });
    const jobId = await sync(webhook('INSERT', u));

    const user = await em().findOneOrFail(User, u.id);
    expect(user).toMatchObject({
      email: u.email,
      phoneNumber: '+15555550123',
      fullName: 'Ada Lovelace',
      avatarUrl: 'https://cdn.example.test/ada.png',
      isActive: true,
      deletedAt: null,
    });
    expect(user.authUpdatedAt?.toISOString()).toBe(new Date(u.updated_at).toISOString());
    const privacy = await em().findOneOrFail(UserPrivacySettings, { user: u.id });
    expect(privacy).toMatchObject({
      allowLongTermStorage: false,
      autoAnonymizePii: true,
      dataRetentionDays: 365,
      consentVersion: null,
    });
    const profiles = await em().find(UserServiceProfile, { user: u.id });
    expect(profiles.map((p) => p.serviceType)).toEqual(['chat']);

    const [log, ...more] = await logsOf(u.id);
    expect(more).toEqual([]);
    expect(log).toMatchObject({
      syncType: 'create',
      source: 'webhook',
      success: true,
      beforeData: null,
      errorMessage: null,
    });
    expect(log!.afterData).toMatchObject({ email: u.email, full_name: 'Ada Lovelace' });
    expect(log!.requestId).toMatch(/^webhook:[0-9a-f]{32}$/);

    // Only the id travelled: the outbox row / job payload and the log carry no raw column.
    const outbox = await em().findOneOrFail(OutboxJob, jobId);
    expect(outbox.payload).toEqual({ user_id: u.id, source: 'webhook', request_id: log!.requestId, session_id: null });
    const stored = JSON.stringify([outbox, log]);
    for (const secret of [
      'encrypted_password',
      'confirmation-token-secret',
      'recovery-token-secret',
      'raw_user_meta_data',
      '$2a$10$',
    ]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('UPDATE changes the Auth-owned fields only, and logs before/after of the changed fields', async () => {
    const u = s.fake.add();
    await sync(webhook('INSERT', u));
    await em().nativeUpdate(User, u.id, {
      bio: 'likes walks',
      xp: 40,
      currentStreak: 3,
      displayName: 'Mine',
      displayNameSetInApp: true,
      privacySettings: { hide_streak: true },
    });

    const changed = s.fake.update(u.id, {
      email: 'new-address@example.test',
      user_metadata: { ...u.user_metadata, display_name: 'Theirs', full_name: 'Robin New' },
    });
    await sync(webhook('UPDATE', changed, u));

    const user = await em().findOneOrFail(User, u.id);
    expect(user).toMatchObject({
      email: 'new-address@example.test',
      fullName: 'Robin New',
      bio: 'likes walks',
      xp: 40,
      currentStreak: 3,
      displayName: 'Mine',
      privacySettings: { hide_streak: true },
    });
    const update = (await logsOf(u.id)).at(-1)!;
    expect(update.syncType).toBe('update');
    expect(update.beforeData).toEqual({
      email: u.email,
      full_name: 'Robin Example',
      auth_updated_at: new Date(u.updated_at).toISOString(),
    });
    expect(update.afterData).toEqual({
      email: 'new-address@example.test',
      full_name: 'Robin New',
      auth_updated_at: new Date(changed.updated_at).toISOString(),
    });
  });

  it('DELETE soft-deletes the user and ends their active sessions; a redelivered DELETE is a no-op', async () => {
    const u = s.fake.add();
    await sync(webhook('INSERT', u));
    await em().insert(UserSession, {
      user: u.id,
      sessionToken: randomUUID(),
      serviceType: 'chat',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    s.fake.users.delete(u.id);

    await sync(webhook('DELETE', u));
    const user = await em().findOneOrFail(User, u.id);
    expect(user.isActive).toBe(false);
    expect(user.deletedAt).toBeInstanceOf(Date);
    const [session] = await em().find(UserSession, { user: u.id });
    expect(session).toMatchObject({ isActive: false, endedAt: user.deletedAt });
    const del = (await logsOf(u.id)).at(-1)!;
    expect(del).toMatchObject({
      syncType: 'delete',
      beforeData: { deleted_at: null, is_active: true },
      afterData: { is_active: false },
    });

    // A late UPDATE for the deleted user (same Auth id) never resurrects it.
    s.fake.users.set(u.id, u);
    await sync(webhook('UPDATE', s.fake.update(u.id, { email: 'late@example.test' })));
    expect((await em().findOneOrFail(User, u.id)).deletedAt).toEqual(user.deletedAt);
    expect((await logsOf(u.id)).at(-1)!.syncType).toBe('noop');
  });

  it('an older snapshot never overwrites a newer one; a replay of the same snapshot logs a no-op', async () => {
    const u = s.fake.add();
    await sync(webhook('INSERT', u));
    const newer = s.fake.update(u.id, { email: 'newer@example.test' });
    await sync(webhook('UPDATE', newer, u));

    // Auth hands out the older snapshot (a late delivery racing a newer one): nothing changes.
    s.fake.users.set(u.id, u);
    await sync(webhook('UPDATE', u, u));
    expect((await em().findOneOrFail(User, u.id)).email).toBe('newer@example.test');

    s.fake.users.set(u.id, newer);
    await sync({ ...webhook('UPDATE', newer, u), replay: 1 });
    const types = (await logsOf(u.id)).map((l) => l.syncType);
    expect(types).toEqual(['create', 'update', 'noop', 'noop']);
    const noop = (await logsOf(u.id)).at(-1)!;
    expect(noop).toMatchObject({ beforeData: null, afterData: null, success: true });
  });

  it('the same delivery twice enqueues one job', async () => {
    const u = s.fake.add();
    const body = JSON.stringify(webhook('INSERT', u));
    const [a, b] = await Promise.all([deliver(body), deliver(body)]);
    const c = await deliver(body);
    const ids = await Promise.all(
      [a, b, c].map(async (r) => {
        expect(r.status).toBe(202);
        return (await r.json()).job_id;
      }),
    );
    expect(new Set(ids).size).toBe(1);
    await completed(ids[0]);
    expect(await em().count(OutboxJob, { id: ids[0] })).toBe(1);
    expect(
      await s.platform.producer.queue(userSync).getJobCountByTypes('completed', 'waiting', 'active', 'delayed'),
    ).toBeGreaterThan(0);
    expect((await logsOf(u.id)).length).toBe(1);
  });

  it('an Auth outage fails the attempt, logs it, and the retry syncs', async () => {
    const u = s.fake.add();
    s.fake.failGets = true;
    const res = await deliver(webhook('INSERT', u));
    const { job_id } = await res.json();
    const { request_id } = (await em().findOneOrFail(OutboxJob, job_id)).payload as { request_id: string };
    const failure = await eventually(
      () => em().findOne(UserSyncLog, { requestId: request_id, success: false }),
      10_000,
    );
    expect(failure.user).toBeNull();
    expect(failure).toMatchObject({ syncType: 'create', source: 'webhook' });
    expect(failure.errorMessage).toMatch(/AuthAdminError: supabase auth get user failed \(status 503\)/);
    s.fake.failGets = false;
    await completed(job_id);
    expect((await logsOf(u.id)).map((l) => [l.syncType, l.success])).toEqual([['create', true]]);
  });

  it('a job that ran but was not acknowledged runs again without a second change or log row', async () => {
    const u = s.fake.add();
    const ctx = jobContext(s.platform, userSync.name, randomUUID());
    const payload = { user_id: u.id, source: 'webhook' as const, request_id: 'redelivered', session_id: null };
    const admin = createAuthAdmin(s.platform.config);
    const key = s.platform.config.ERASURE_TOMBSTONE_KEY;
    expect(await processUserSync(payload, ctx, admin, key)).toEqual({ type: 'create' });
    expect(await processUserSync(payload, { ...ctx, em: em(), attempt: 2 }, admin, key)).toEqual({
      type: 'noop',
      reason: 'unchanged',
    });
    expect((await logsOf(u.id)).map((l) => l.syncType)).toEqual(['create']);
  });

  const headersCases: [string, Record<string, string>][] = [
    ['no secret', {}],
    ['a wrong secret', { 'x-supabase-webhook-secret': 'wrong-secret-wrong-secret-000000' }],
    ['the secret as a bearer token', { authorization: `Bearer ${TEST_WEBHOOK_SECRET}` }],
  ];
  it.each(headersCases)('401 with %s, and nothing is enqueued', async (_name, headers) => {
    const before = await em().count(OutboxJob, { queue: userSync.name });
    const res = await deliver(webhook('INSERT', s.fake.add()), headers);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('UNAUTHORIZED');
    expect(await em().count(OutboxJob, { queue: userSync.name })).toBe(before);
  });

  const malformed: [string, unknown][] = [
    ['not JSON', '{"type": "INSERT", '],
    ['another table', { ...webhook('INSERT', s0()), table: 'profiles' }],
    ['an unknown type', { ...webhook('INSERT', s0()), type: 'TRUNCATE' }],
    ['a record without an id', { ...webhook('INSERT', s0()), record: { email: 'x@example.test' } }],
    ['a DELETE without old_record', { ...webhook('DELETE', s0()), old_record: null }],
    ['an id that is not a uuid', { ...webhook('UPDATE', s0()), record: { id: '42' } }],
  ];
  it.each(malformed)('400 for %s', async (_name, body) => {
    const res = await deliver(body);
    expect(res.status).toBe(400);
    expect(['BAD_REQUEST', 'VALIDATION_FAILED']).toContain((await res.json()).error.code);
  });
});

/** A user object for payloads that never reach the worker. */
function s0(): FakeAuthUser {
  return { id: randomUUID(), email: 'x@example.test', updated_at: new Date().toISOString() } as FakeAuthUser;
}

describe('self-sync', () => {
  it('a valid token enqueues a sync of the caller, which the worker fetches from Auth', async () => {
    const u = s.fake.add({ user_metadata: { name: 'Sam Self', picture: 'https://cdn.example.test/sam.png' } });
    const sessionId = randomUUID();
    const res = await s.platform.app.request('/v1/me/sync', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await s.token(u.id, { session_id: sessionId })}`,
        'x-request-id': 'self-sync-1',
      },
    });
    expect(res.status).toBe(202);
    await completed((await res.json()).job_id);
    expect(await em().findOneOrFail(User, u.id)).toMatchObject({
      fullName: 'Sam Self',
      avatarUrl: 'https://cdn.example.test/sam.png',
    });
    expect((await logsOf(u.id))[0]).toMatchObject({
      syncType: 'create',
      source: 'self_sync',
      requestId: 'self-sync-1',
      sessionId,
    });
  });

  it('an invalid token is 401 and enqueues nothing', async () => {
    const before = await em().count(OutboxJob, { queue: userSync.name });
    const forged = await s.token(randomUUID(), { iss: 'https://evil.example/auth/v1' });
    for (const authorization of [`Bearer ${forged}`, 'Bearer not.a.jwt', '']) {
      const res = await s.platform.app.request('/v1/me/sync', {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
    }
    expect(await em().count(OutboxJob, { queue: userSync.name })).toBe(before);
  });
});
