import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import {
  makeConversation,
  makeMessage,
  makeSafetyContact,
  makeSchedule,
  makeUser,
  makeVoice,
  makeVoiceCall,
} from '../entities/fixtures.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';
import { userLinks } from '../../src/db/user-owned.ts';
import { engagementUpdate } from '../../src/queues/engagement-update.ts';
import { auditTombstone } from '../../src/domain/erasure.ts';
import { allJobs } from '../../src/queues/index.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
  platform.startWorkers();
});
afterAll(() => platform.close());

const call = async (method: string, path: string, sub: string, body?: unknown) =>
  platform.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${await userToken({ sub })}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      'user-agent': 'test-agent',
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

/** A user with a row in as many tables as the fixtures reach. */
async function seededUser() {
  const em = platform.orm.em.fork();
  const user = await makeUser(em);
  const conversation = await makeConversation(em, user);
  await makeMessage(em, conversation);
  await makeSchedule(em, user);
  await makeSafetyContact(em, user);
  await makeVoiceCall(em, user, await makeVoice(em));
  em.create(UserSyncLog, {
    user,
    syncType: 'create',
    source: 'webhook',
    success: true,
    afterData: { email: 'x@example.test' },
  });
  em.create(SystemEvent, { user, eventType: 'probe', eventCategory: 'system' });
  await em.flush();
  return user;
}

describe('privacy settings', () => {
  it('start conservative, change, and record consent with its date', async () => {
    const user = await makeUser(platform.orm.em.fork());
    const initial = await (await call('GET', '/v1/privacy', user.id)).json();
    expect(initial).toMatchObject({
      data_retention_days: 365,
      allow_long_term_storage: false,
      auto_anonymize_pii: true,
      consent_version: null,
      consent_date: null,
    });

    const res = await call('PATCH', '/v1/privacy', user.id, {
      data_retention_days: 30,
      consent_version: '2026-11',
      pii_handling_preferences: { email: 'keep' },
    });
    expect(res.status).toBe(200);
    const changed = await res.json();
    expect(changed).toMatchObject({
      data_retention_days: 30,
      consent_version: '2026-11',
      pii_handling_preferences: { email: 'keep' },
    });
    expect(Date.now() - Date.parse(changed.consent_date)).toBeLessThan(60_000);

    const events = await platform.orm.em.fork().find(SystemEvent, { user: user.id, eventCategory: 'privacy' });
    expect(events.map((e) => e.eventType).sort()).toEqual(['consent_given', 'privacy_settings_changed']);
    const settingsEvent = events.find((e) => e.eventType === 'privacy_settings_changed')!;
    expect(settingsEvent.eventData.settings).toBe('data_retention_days,pii_handling_preferences,consent_version');
    expect(settingsEvent.userAgent).toBe('test-agent');
    expect(settingsEvent.eventData.request_id).toBeTruthy();
  });

  it.each([
    [{ data_retention_days: 0 }, 'data_retention_days'],
    [{ data_retention_days: 99999 }, 'data_retention_days'],
    [{ pii_handling_preferences: { shoe_size: 'keep' } }, 'pii_handling_preferences'],
    [{ pii_handling_preferences: { email: 'publish' } }, 'pii_handling_preferences.email'],
    [{ allow_long_term_storage: 'yes' }, 'allow_long_term_storage'],
    [{ surprise: true }, '(body)'],
  ])('refuses %o naming %s', async (body, field) => {
    const user = await makeUser(platform.orm.em.fork());
    const res = await call('PATCH', '/v1/privacy', user.id, body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('is 404 for a user Hearth has not synced', async () => {
    expect((await call('GET', '/v1/privacy', crypto.randomUUID())).status).toBe(404);
  });
});

describe('export', () => {
  it('contains every table of the user and nothing of another user, downloadable once', async () => {
    const user = await seededUser();
    const other = await seededUser();
    const res = await call('POST', '/v1/me/export', user.id);
    expect(res.status).toBe(202);
    const { export_id } = await res.json();
    expect((await call('GET', `/v1/me/export/${export_id}`, other.id)).status).toBe(404);

    const doc = await eventually(async () => {
      const r = await call('GET', `/v1/me/export/${export_id}`, user.id);
      return r.status === 200 ? r.json() : null;
    });
    const tables = Object.keys(doc.tables);
    for (const t of [
      'users',
      'conversations',
      'messages',
      'schedules',
      'safety_contacts',
      'voice_calls',
      'user_sync_logs',
      'system_events',
    ])
      expect(tables).toContain(t);
    expect(JSON.stringify(doc)).toContain(user.id);
    expect(JSON.stringify(doc)).not.toContain(other.id);
    expect((await call('GET', `/v1/me/export/${export_id}`, user.id)).status).toBe(410);
    const audit = await platform.orm.em
      .fork()
      .find(SystemEvent, { user: user.id, eventType: { $in: ['export_requested', 'export_downloaded'] } });
    expect(audit).toHaveLength(2);
  });
});

describe('erasure', () => {
  it('ends access at once, then leaves no row and no job with the user id; audit stays under a tombstone', async () => {
    const user = await seededUser();
    const other = await seededUser();
    const queue = platform.producer.queue(engagementUpdate);
    await queue.add(engagementUpdate.name, { user_id: user.id } as never, { delay: 3_600_000 });

    expect((await call('DELETE', '/v1/me', user.id)).status).toBe(202);
    expect((await call('GET', '/v1/privacy', user.id)).status).toBe(403); // soft-deleted: access ends at once

    await eventually(async () => !(await platform.orm.em.fork().findOne(User, user.id)), 15_000);
    const em = platform.orm.em.fork();
    const links = userLinks(em.getMetadata());
    expect(links.length).toBeGreaterThanOrEqual(18); // every user-owned table of the spec, and more
    for (const link of links) {
      const [row] = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from "${link.meta.tableName}" where "${link.column}" = ?`,
        [user.id],
      );
      expect(row?.n, `${link.meta.tableName}.${link.column}`).toBe(0);
    }
    const kept = await em.execute<{ event_type: string }[]>(
      `select event_type from system_events where event_data->>'erased_user' = ?`,
      [auditTombstone(platform.config.ERASURE_TOMBSTONE_KEY, user.id)],
    );
    expect(kept.map((r) => r.event_type)).toEqual(
      expect.arrayContaining(['probe', 'erasure_requested', 'erasure_completed']),
    );
    for (const job of allJobs) {
      const jobs = await platform.producer
        .queue(job)
        .getJobs(['waiting', 'delayed', 'prioritized', 'completed', 'failed']);
      expect(
        jobs.filter((j) => j?.data?.user_id === user.id),
        job.name,
      ).toEqual([]);
    }
    expect(await em.count(User, { id: other.id })).toBe(1);
  });
});

describe('GET /admin/api/events', () => {
  it('pages and filters the audit trail for admins only', async () => {
    const { TEST_ADMIN_TOKEN } = await import('../support/constants.ts');
    const admin = (path: string) =>
      platform.app.request(path, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const user = await makeUser(platform.orm.em.fork());
    for (const v of ['v1', 'v2', 'v3']) await call('PATCH', '/v1/privacy', user.id, { consent_version: v });

    expect((await platform.app.request(`/admin/api/events?user_id=${user.id}`)).status).toBe(401);
    const first = await (await admin(`/admin/api/events?user_id=${user.id}&type=consent_given&limit=2`)).json();
    expect(first.events.map((e: { event_data: { consent_version: string } }) => e.event_data.consent_version)).toEqual([
      'v3',
      'v2',
    ]);
    const second = await (
      await admin(
        `/admin/api/events?user_id=${user.id}&type=consent_given&limit=2&before=${encodeURIComponent(first.next_before)}`,
      )
    ).json();
    expect(second.events.map((e: { event_data: { consent_version: string } }) => e.event_data.consent_version)).toEqual(
      ['v1'],
    );
    expect(second.next_before).toBeNull();

    const bad = await admin('/admin/api/events?category=gossip');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].field).toBe('category');
  });
});
