// Issue 16, items 1 and 2: an erasure that stays erased and leaves no copy behind.
// A user is made the way production makes one (Supabase Auth → self-sync), uses the product through the API
// (a message, consent, an export, a reminder, a Vapi call whose deliveries carry their number and summary),
// then deletes their account. Afterwards the test looks for the user by itself, without trusting any list
// the erasure code keeps: every text, jsonb and uuid column of every table (from information_schema) and every
// Redis key under the platform's prefix are dumped and searched for the user's id, email, phone, name and
// message text. Then every path that could bring the identity back is tried with the user's still-valid token.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createUserSyncPlatform, TEST_WEBHOOK_SECRET, type UserSyncPlatform } from '../support/user-sync-platform.ts';
import { authUsersWebhook, gotrueTime } from '../support/fake-supabase-auth.ts';
import { eventually, jobContext } from '../support/platform.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { makeVoice, makeVoiceCall } from '../entities/fixtures.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserExport } from '../../src/entities/user-export.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { jobs } from '../../src/queues/index.ts';
import { userReconcile } from '../../src/queues/user-reconcile.ts';
import { userErasure } from '../../src/queues/user-erasure.ts';
import { createAuthAdmin } from '../../src/lib/supabase-admin.ts';
import { processUserReconcile } from '../../src/workers/user-reconcile.ts';
import { processUserErasure } from '../../src/workers/user-erasure.ts';
import { registrations } from '../../src/workers/processors.ts';

const VAPI_SECRET = 'erasure-test-vapi-secret-0123';
let s: UserSyncPlatform;
let db: Awaited<ReturnType<typeof createOwnDatabase>>;
beforeAll(async () => {
  // A database of its own: the reconciliation below treats every local user as its business.
  db = await createOwnDatabase('erasure');
  s = await createUserSyncPlatform({ DATABASE_URL: db.url, TRUST_PROXY_HOPS: '1', VAPI_WEBHOOK_SECRET: VAPI_SECRET });
  // Sync, export and erasure run; the jobs a message or a Vapi delivery enqueues stay queued, naming the
  // user's message and event ids (the erasure must find them by those ids).
  const wanted = new Set<string>([jobs.userSync.name, jobs.userExport.name, jobs.userErasure.name]);
  s.platform.startWorkers(registrations.filter((r) => wanted.has(r.job.name)));
});
afterAll(async () => {
  await s?.close();
  await db?.drop();
});

const em = () => s.platform.orm.em.fork();

async function api(token: string, method: string, path: string, body?: unknown) {
  return s.platform.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'user-agent': 'HearthApp/3.0 (erasure test)',
      'x-forwarded-for': '198.51.100.23',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Every text-like column of every table, as information_schema lists them (not a list the code keeps). */
async function dumpHits(needles: Record<string, string>): Promise<string[]> {
  const columns = await em().execute<{ table_name: string; column_name: string }[]>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and (c.data_type in ('text', 'character varying', 'jsonb', 'json', 'uuid', 'inet')
         or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))`,
  );
  expect(columns.length).toBeGreaterThan(90);
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const [what, needle] of Object.entries(needles)) {
      const [row] = await em().execute<{ n: number }[]>(
        `select count(*)::int as n from "${table}" where position(lower(?) in lower("${column}"::text)) > 0`,
        [needle],
      );
      if (row?.n) hits.push(`${table}.${column} holds the ${what}`);
    }
  }
  return hits;
}

/** Every key under the platform's prefix and its contents, whatever the type. */
async function redisHits(needles: Record<string, string>): Promise<string[]> {
  const redis = new Redis(s.platform.config.REDIS_URL);
  const hits: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${s.platform.config.REDIS_PREFIX}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const content =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'zset'
                    ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : '';
        for (const [what, needle] of Object.entries(needles))
          if (`${key} ${content}`.toLowerCase().includes(needle.toLowerCase()))
            hits.push(`${key} (${type}) holds the ${what}`);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return hits;
}

describe('an erased account', () => {
  it('leaves no copy anywhere, and its still-valid token cannot bring it back', { timeout: 90_000 }, async () => {
    const digits = `1415555${String(randomInt(1_000, 9_999))}`;
    const marker = `erasure-marker-${randomUUID().slice(0, 8)} I cannot sleep since the accident`;
    const auth = s.fake.add({
      email: `erase-me-${randomUUID().slice(0, 8)}@example.test`,
      phone: digits,
      phone_confirmed_at: gotrueTime(Date.now()),
      user_metadata: { full_name: 'Robin Erasure-Probe' },
    });
    const id = auth.id;
    const token = await s.token(id);

    // Signed up: synced from Auth by the self-sync the app calls after sign-up.
    expect((await api(token, 'POST', '/v1/me/sync')).status).toBe(202);
    await eventually(() => em().findOne(User, { id, deletedAt: null }));

    // Uses the product.
    const conversation = await (await api(token, 'POST', '/v1/conversations', {})).json();
    const posted = await api(token, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      role: 'user',
      content: marker,
    });
    expect(posted.status).toBe(202);
    const { message_id: messageId } = await posted.json();
    expect((await api(token, 'PATCH', '/v1/privacy', { consent_version: '2026-12' })).status).toBe(200);
    const reminder = await api(token, 'POST', '/v1/schedules', {
      name: 'Evening check-up',
      schedule_type: 'chat',
      cron_expression: '0 20 * * *',
      timezone: 'UTC',
      reminder_method: 'sms',
      phone_number: `+${digits}`,
    });
    expect(reminder.status, await reminder.clone().text()).toBe(201);
    const { id: scheduleId } = await reminder.json();
    const exported = await (await api(token, 'POST', '/v1/me/export')).json();
    await eventually(async () => (await em().findOne(UserExport, exported.export_id))?.status === 'ready');

    // A call, and Vapi's deliveries about it (the customer's number, the summary, a transcript).
    const voice = await makeVoice(em());
    const user = await em().findOneOrFail(User, id);
    const call = await makeVoiceCall(em(), user, voice, { phoneNumber: `+${digits}` });
    for (const message of [
      { type: 'status-update', status: 'in-progress' },
      {
        type: 'end-of-call-report',
        endedReason: 'customer-ended-call',
        analysis: { summary: `The user said: ${marker}` },
        artifact: { transcript: marker },
      },
    ]) {
      const body = {
        message: {
          ...message,
          call: {
            id: call.vapiCallId,
            type: 'outboundPhoneCall',
            customer: { number: `+${digits}`, name: 'Robin Erasure-Probe', externalId: call.id },
          },
          customer: { number: `+${digits}` },
        },
      };
      const res = await s.platform.app.request('/webhooks/vapi', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vapi-secret': VAPI_SECRET },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    }
    expect(await em().count(WebhookEvent, { vapiCallId: call.vapiCallId })).toBe(2);

    const needles = {
      'user id': id,
      email: auth.email,
      phone: digits,
      name: 'Erasure-Probe',
      'message text': marker.slice(0, 24),
      'IP address': '198.51.100.23',
      'user agent': 'erasure test',
      // Ids of the user's things: jobs and outbox rows are keyed by these, not by the user id.
      'message id': messageId,
      'conversation id': conversation.id,
      'schedule id': scheduleId,
      'export id': exported.export_id,
      'call id': call.id,
      'Vapi call id': call.vapiCallId!,
    };
    // The dump finds the user while they exist (so it can fail).
    expect((await dumpHits(needles)).length).toBeGreaterThan(5);

    // Deletes the account; the erasure job runs at once (ERASURE_GRACE_DAYS=0).
    expect((await api(token, 'DELETE', '/v1/me')).status).toBe(202);
    await eventually(async () => !(await em().findOne(User, id)) && s.fake.deleted.includes(id), 20_000);
    // The erasure job is removed on completion; give it that moment.
    await eventually(async () => (await s.platform.producer.queue(userErasure).getJobCounts('active')).active === 0);

    expect(await dumpHits(needles)).toEqual([]);
    expect(await redisHits(needles)).toEqual([]);
    expect(s.fake.users.has(id)).toBe(false); // deleted in Supabase Auth too

    // The still-valid token: refused with a clear 410, and nothing is synced back.
    for (const [method, path] of [
      ['POST', '/v1/me/sync'],
      ['GET', '/v1/me'],
    ] as const) {
      const res = await api(token, method, path);
      expect(res.status, `${method} ${path}`).toBe(410);
      expect((await res.json()).error.code).toBe('ACCOUNT_ERASED');
    }

    // Auth still has the account (as when its deletion keeps failing): neither the webhook nor the
    // reconciliation brings it back, and the reconciliation deletes it from Auth again.
    s.fake.users.set(id, { ...auth, updated_at: gotrueTime(Date.now() + 60_000) });
    const hook = await s.platform.app.request('/webhooks/supabase/auth-users', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-supabase-webhook-secret': TEST_WEBHOOK_SECRET },
      body: JSON.stringify(authUsersWebhook('UPDATE', s.fake.users.get(id)!)),
    });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toEqual({ ignored: 'erased' });
    await processUserReconcile({}, jobContext(s.platform, userReconcile.name), {
      admin: createAuthAdmin(s.platform.config),
      perPage: 1000,
      tombstoneKey: s.platform.config.ERASURE_TOMBSTONE_KEY,
    });
    expect(await em().findOne(User, id)).toBeNull();
    expect(s.fake.users.has(id)).toBe(false);
    expect(s.fake.deleted.filter((d) => d === id)).toHaveLength(2);
    expect(await dumpHits({ 'user id': id, email: auth.email })).toEqual([]);
  });

  it('deletes the user in Supabase Auth idempotently, and a failed deletion fails the attempt so the job retries', async () => {
    const auth = s.fake.add();
    const user = em().create(User, { id: auth.id, email: auth.email, deletedAt: new Date(), isActive: false });
    await em().persist(user).flush();
    const deps = {
      tombstoneKey: s.platform.config.ERASURE_TOMBSTONE_KEY,
      authAdmin: createAuthAdmin(s.platform.config),
    };
    const ctx = () => jobContext(s.platform, userErasure.name, randomUUID());
    s.fake.failDeletes = 1;
    await expect(processUserErasure({ user_id: auth.id }, ctx(), deps)).rejects.toThrow(
      /delete user failed \(status 503\)/,
    );
    // The rows are gone and the tombstone written before Auth was asked: the retry only has Auth left to do.
    expect(await em().findOne(User, auth.id)).toBeNull();
    expect(await processUserErasure({ user_id: auth.id }, ctx(), deps)).toMatchObject({
      erased: false,
      auth: 'deleted',
    });
    expect(await processUserErasure({ user_id: auth.id }, ctx(), deps)).toMatchObject({ auth: 'already_gone' });
    expect(s.fake.requests.filter((r) => r === `DELETE /auth/v1/admin/users/${auth.id}`)).toHaveLength(3);
  });
});
