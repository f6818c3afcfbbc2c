// Authorization across users: for every user-scoped route with a path parameter (read from the OpenAPI
// document, so a route added later is covered or this file fails), user B asking for user A's resource
// gets the same 404 as for a missing one, and the database is exactly as before; the same request by A
// succeeds (so the 404 is about ownership, not a broken fixture). Collections never list A's rows for B.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src/api/schemas.ts';
import { userLinks } from '../../src/db/user-owned.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserDestination } from '../../src/entities/user-destination.entity.ts';
import { codeHash } from '../../src/domain/destinations.ts';
import type { Voice } from '../../src/entities/voice.entity.ts';
import { call, chatUser, newConversation, type ChatUser } from '../chat/helpers.ts';
import { makeMemory, makeVoice, makeVoiceCall } from '../entities/fixtures.ts';
import { operations, type Operation } from '../support/openapi.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';

// A database of its own: "nothing was written" is checked over every table, which other files would change.
let db: Awaited<ReturnType<typeof createOwnDatabase>>;
let platform: TestPlatform;
let voice: Voice;
let a: ChatUser;
let b: ChatUser;
beforeAll(async () => {
  db = await createOwnDatabase('crossuser');
  // Sessions are touched at most hourly, so B's requests after the first write no user_sessions row.
  platform = await createTestPlatform({ DATABASE_URL: db.url, USER_SESSION_TOUCH_SECONDS: '3600' });
  voice = await makeVoice(platform.orm.em.fork());
  a = await chatUser(platform, { phoneNumber: '+14155550101', phoneConfirmedAt: new Date() });
  b = await chatUser(platform, { phoneNumber: '+14155550102', phoneConfirmedAt: new Date() });
  for (const u of [a, b]) expect((await call(platform, u, 'GET', '/v1/me')).status).toBe(200);
});
afterAll(async () => {
  await platform?.close();
  await db?.drop();
});

/** The resource's id from a 2xx JSON answer, or a failure naming the request. */
async function created(res: Response, key = 'id'): Promise<string> {
  const body = await res.json();
  if (res.status >= 300) throw new Error(`fixture: ${res.status} ${JSON.stringify(body)}`);
  return body[key];
}

/** How to make one resource owned by a user; returns its id. */
type Make = (owner: ChatUser) => Promise<string>;
const make = {
  conversation: (u) => newConversation(platform, u),
  memory: async (u) => {
    const em = platform.orm.em.fork();
    return (await makeMemory(em, em.getReference(User, u.id))).id;
  },
  export: async (u) => created(await call(platform, u, 'POST', '/v1/me/export'), 'export_id'),
  safetyContact: async (u) =>
    created(
      await call(platform, u, 'POST', '/v1/safety-contacts', {
        external_first_name: 'Sam',
        external_phone_number: '+14155550199',
        allowed_communication_methods: ['sms'],
      }),
    ),
  incident: async (u) => created(await call(platform, u, 'POST', '/v1/safety/alerts', {}), 'incident_id'),
  schedule: async (u) =>
    created(
      await call(platform, u, 'POST', '/v1/schedules', {
        name: 'Morning',
        schedule_type: 'chat',
        cron_expression: '0 9 * * *',
        timezone: 'Europe/London',
      }),
    ),
  voiceSchedule: async (u) =>
    created(
      await call(platform, u, 'POST', '/v1/voice-schedules', {
        name: 'Evening call',
        cron_expression: '0 19 * * 1-5',
        timezone: 'Europe/London',
        assistant_id: voice.assistantId,
      }),
    ),
  call: async (u) => {
    const em = platform.orm.em.fork();
    return (await makeVoiceCall(em, em.getReference(User, u.id), voice, { status: 'ended' })).id;
  },
  destination: async (u) => {
    const em = platform.orm.em.fork();
    const id = randomUUID();
    await em.insert(UserDestination, {
      id,
      user: u.id,
      channel: 'sms',
      address: `+1415555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`,
      codeHash: codeHash(id, '123456'),
      codeExpiresAt: new Date(Date.now() + 600_000),
    });
    return id;
  },
} satisfies Record<string, Make>;

/** Every user-scoped route with a path parameter: how to make A's resource, and a body valid for it. */
const ROUTES: Record<string, { make: Make; body?: unknown }> = {
  'POST /v1/conversations/{id}/messages': {
    make: make.conversation,
    body: { content: 'Can you hear me?', role: 'user' },
  },
  'POST /v1/conversations/{id}/end': { make: make.conversation },
  'PATCH /v1/memories/{id}': { make: make.memory, body: { is_archived: true, user_consent: false } },
  'DELETE /v1/memories/{id}': { make: make.memory },
  'GET /v1/me/export/{id}': { make: make.export },
  'GET /v1/safety-contacts/{id}': { make: make.safetyContact },
  'PATCH /v1/safety-contacts/{id}': {
    make: make.safetyContact,
    body: { priority_order: 1, is_active: false, notes: 'changed' },
  },
  'DELETE /v1/safety-contacts/{id}': { make: make.safetyContact },
  'POST /v1/safety/incidents/{id}/acknowledge': { make: make.incident },
  'GET /v1/schedules/{id}': { make: make.schedule },
  'PATCH /v1/schedules/{id}': { make: make.schedule, body: { is_active: false, name: 'renamed' } },
  'DELETE /v1/schedules/{id}': { make: make.schedule },
  'GET /v1/schedules/{id}/executions': { make: make.schedule },
  'GET /v1/voice-schedules/{id}': { make: make.voiceSchedule },
  'PATCH /v1/voice-schedules/{id}': { make: make.voiceSchedule, body: { is_active: false, name: 'renamed' } },
  'DELETE /v1/voice-schedules/{id}': { make: make.voiceSchedule },
  'GET /v1/calls/{id}': { make: make.call },
  'POST /v1/me/destinations/{id}/confirm': { make: make.destination, body: { code: '123456' } },
  'DELETE /v1/me/destinations/{id}': { make: make.destination },
};

const key = (op: Operation) => `${op.method} ${op.path}`;
const userScoped = async () => (await operations(platform.app)).filter((op) => op.schemes.includes('userToken'));
// A resource id in the path ({service_type} in /v1/me/services/{service_type} names one of the caller's own
// settings, never another user's row).
const hasPathParam = (op: Operation) => /\{id\}/.test(op.path);

/** Row count and a hash of the contents of every table: any insert, update or delete changes it. */
async function snapshot(): Promise<Record<string, string>> {
  const conn = platform.orm.em.getConnection();
  // The API relays its outbox rows after answering; wait for that, so only the request under test moves rows.
  await eventually(
    async () =>
      (await conn.execute<{ n: number }[]>('select count(*)::int as n from outbox_jobs where enqueued_at is null'))[0]!
        .n === 0,
  );
  const tables = await conn.execute<{ t: string }[]>(
    `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'mikro_orm%' order by 1`,
  );
  const rows = await conn.execute<{ t: string; v: string }[]>(
    tables
      .map(
        ({ t }) =>
          `select '${t}' as t, count(*) || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as v from "${t}" x`,
      )
      .join(' union all '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.v]));
}

/** The same, over the rows that point at one user. */
async function rowsOf(userId: string): Promise<Record<string, string>> {
  const em = platform.orm.em.fork();
  const out: Record<string, string> = {};
  for (const link of userLinks(em.getMetadata())) {
    const [row] = await em.execute<{ v: string }[]>(
      `select count(*) || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as v from "${link.meta.tableName}" x where "${link.column}" = ?`,
      [userId],
    );
    out[`${link.meta.tableName}.${link.column}`] = row!.v;
  }
  return out;
}

const changedTables = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys(after).filter((t) => before[t] !== after[t]);

describe("user B and user A's resources", () => {
  it('the fixture map names exactly the user-scoped routes with a path parameter', async () => {
    const declared = (await userScoped()).filter(hasPathParam).map(key).sort();
    expect(declared.length).toBeGreaterThan(10);
    // A failure here: a route was added (give it a fixture in ROUTES) or removed (drop its entry).
    expect(Object.keys(ROUTES).sort()).toEqual(declared);
  });

  it('every such route answers B with the documented 404, writes nothing, and works for A', {
    timeout: 120_000,
  }, async () => {
    let tested = 0;
    for (const op of (await userScoped()).filter(hasPathParam)) {
      const route = ROUTES[key(op)];
      if (!route) continue; // the map test above names it
      tested += 1;
      expect(op.responses, `${key(op)} documents 404`).toContain('404');
      expect(op.hasBody, `${key(op)}: a route with a body needs one in ROUTES`).toBe(route.body !== undefined);
      const path = op.path.replace('{id}', await route.make(a));
      expect(path, `${key(op)}: only {id} is filled in`).not.toMatch(/\{/);

      // A missing id first: A's resource must look exactly like it (this also records B's session for
      // the route's auth, a write that is not the route's).
      const missing = await call(platform, b, op.method, op.path.replace('{id}', randomUUID()), route.body);
      const missingBody = await missing.json();
      const before = await snapshot();
      const res = await call(platform, b, op.method, path, route.body);
      const label = `${key(op)} as B → ${res.status}`;
      expect(res.status, label).toBe(404);
      const body = await res.json();
      expect(ErrorBody.safeParse(body).success, `${label}: ${JSON.stringify(body)}`).toBe(true);
      expect(body.error.code, label).toBe('NOT_FOUND');
      expect({ status: res.status, message: body.error.message }, `${label}: differs from a missing id`).toEqual({
        status: missing.status,
        message: missingBody.error?.message,
      });
      expect(changedTables(before, await snapshot()), `${label}: tables written`).toEqual([]);

      const own = await call(platform, a, op.method, path, route.body);
      expect(own.status, `${key(op)} as A (the owner)`).toBeLessThan(300);
    }
    expect(tested).toBe(Object.keys(ROUTES).length);
  });

  it("collections list B's own rows and never A's, and leave A's rows alone", { timeout: 60_000 }, async () => {
    const ofA = await Promise.all(Object.values(make).map((m) => m(a)));
    const lists = (await userScoped()).filter((op) => op.method === 'GET' && !hasPathParam(op));
    expect(lists.length).toBeGreaterThan(5);
    for (const op of lists) {
      // A collection with item routes under it must show B's own item: an empty list would prove nothing.
      const item = Object.entries(ROUTES).find(([k]) => k.split(' ')[1]!.startsWith(`${op.path}/{id}`))?.[1];
      const mine = item ? await item.make(b) : undefined;
      const before = await rowsOf(a.id);
      const res = await call(platform, b, 'GET', op.path);
      const text = await res.text();
      expect(res.status, `GET ${op.path} as B`).toBe(200);
      for (const id of [a.id, ...ofA]) expect(text, `GET ${op.path} as B shows A's ${id}`).not.toContain(id);
      if (mine) expect(text, `GET ${op.path} as B lists B's own item`).toContain(mine);
      // Listing may write B's rows (memory access times, default privacy settings), never A's.
      expect(changedTables(before, await rowsOf(a.id)), `GET ${op.path} as B: A's rows changed`).toEqual([]);
    }
  });
});
