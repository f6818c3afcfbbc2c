// The user's own profile (PATCH /v1/me) and service settings (PATCH /v1/me/services/{type}), end to end with
// Auth sync: what the user chose survives every later sync; clearing the display name hands it back to Auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authUsersWebhook as webhook } from '../support/fake-supabase-auth.ts';
import { eventually } from '../support/platform.ts';
import { createUserSyncPlatform, TEST_WEBHOOK_SECRET, type UserSyncPlatform } from '../support/user-sync-platform.ts';
import { makeVoice } from '../entities/fixtures.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';

let s: UserSyncPlatform;
beforeAll(async () => {
  s = await createUserSyncPlatform();
  s.platform.startWorkers();
});
afterAll(() => s.close());

const em = () => s.platform.orm.em.fork();
const api = async (method: string, path: string, sub: string, body?: unknown) =>
  s.platform.app.request(path, {
    method,
    headers: { authorization: `Bearer ${await s.token(sub)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A synced user: Auth has them with a display name in user_metadata, and a webhook sync ran. */
async function syncedUser() {
  const u = s.fake.add({ user_metadata: { full_name: 'Robin Example', display_name: 'robin-auth' } });
  await deliverAndWait(u.id, webhook('INSERT', u));
  return u;
}
async function deliverAndWait(userId: string, body: unknown) {
  const before = await em().count(UserSyncLog, { user: userId });
  const res = await s.platform.app.request('/webhooks/supabase/auth-users', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-supabase-webhook-secret': TEST_WEBHOOK_SECRET },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  await eventually(async () => (await em().count(UserSyncLog, { user: userId })) > before, 15_000);
}

describe('PATCH /v1/me', () => {
  it('stores display name, bio and privacy flags; the name survives later syncs; clearing it hands it back to Auth', async () => {
    const u = await syncedUser();
    expect((await em().findOneOrFail(User, u.id)).displayName).toBe('robin-auth');

    const res = await api('PATCH', '/v1/me', u.id, {
      display_name: '  Robin  ',
      bio: 'Likes the sea.',
      privacy_settings: { show_streak: false },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      display_name: 'Robin',
      display_name_source: 'app',
      bio: 'Likes the sea.',
      privacy_settings: { show_streak: false, show_last_active: false },
    });

    // Auth changes the name in its metadata; the sync must keep the one the user chose.
    const changed = s.fake.update(u.id, { user_metadata: { full_name: 'Robin E.', display_name: 'robin-new' } });
    await deliverAndWait(u.id, webhook('UPDATE', changed));
    const kept = await em().findOneOrFail(User, u.id);
    expect(kept).toMatchObject({ displayName: 'Robin', displayNameSetInApp: true, fullName: 'Robin E.' });
    expect(kept.bio).toBe('Likes the sea.');
    expect(kept.privacySettings).toEqual({ show_streak: false });

    // Cleared: Auth's current name comes back without waiting for Auth to change anything.
    const cleared = await api('PATCH', '/v1/me', u.id, { display_name: null });
    expect((await cleared.json()).display_name_source).toBe('auth');
    await eventually(async () => (await em().findOneOrFail(User, u.id)).displayName === 'robin-new', 15_000);
    expect((await em().findOneOrFail(User, u.id)).displayNameSetInApp).toBe(false);

    const me = await (await api('GET', '/v1/me', u.id)).json();
    expect(me).toMatchObject({
      display_name: 'robin-new',
      bio: 'Likes the sea.',
      privacy_settings: { show_streak: false },
    });
  });

  it('refuses unknown keys, an empty name, an oversize bio and non-boolean flags with 400 naming the field', async () => {
    const u = await syncedUser();
    const cases: [unknown, string][] = [
      [{ privacy_settings: { show_everything: true } }, 'privacy_settings'],
      [{ privacy_settings: { show_streak: 'yes' } }, 'privacy_settings.show_streak'],
      [{ display_name: '   ' }, 'display_name'],
      [{ bio: 'x'.repeat(501) }, 'bio'],
      [{ xp: 1_000_000 }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await api('PATCH', '/v1/me', u.id, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect((await res.json()).error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await em().findOneOrFail(User, u.id)).xp).toBe(0);
  });
});

describe('service settings', () => {
  it('validates per service, merges, removes with null, survives a sync; metadata is read-only', async () => {
    const u = await syncedUser();
    const voice = await makeVoice(em());
    const res = await api('PATCH', '/v1/me/services/voice', u.id, {
      service_preferences: {
        quiet_hours: { start: '22:00', end: '07:00' },
        language: 'EN-gb',
        preferred_voice: voice.assistantId,
        calls_per_day: 2,
        timezone: 'Europe/Berlin',
      },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).service_preferences).toEqual({
      quiet_hours: { start: '22:00', end: '07:00' },
      language: 'en-GB',
      preferred_voice: voice.assistantId,
      calls_per_day: 2,
      timezone: 'Europe/Berlin',
    });
    const merged = await api('PATCH', '/v1/me/services/voice', u.id, {
      service_preferences: { calls_per_day: null, language: 'de' },
    });
    expect((await merged.json()).service_preferences).toMatchObject({
      language: 'de',
      quiet_hours: { start: '22:00' },
    });

    const changed = s.fake.update(u.id, { user_metadata: { full_name: 'Changed' } });
    await deliverAndWait(u.id, webhook('UPDATE', changed));
    const row = await em().findOneOrFail(UserServiceProfile, { user: u.id, serviceType: 'voice' });
    expect(row.servicePreferences).not.toHaveProperty('calls_per_day');
    expect(row.servicePreferences.language).toBe('de');

    const list = await (await api('GET', '/v1/me/services', u.id)).json();
    expect(list.services.map((x: { service_type: string }) => x.service_type)).toEqual(['chat', 'voice', 'scheduling']);

    const bad: [string, unknown, string][] = [
      ['voice', { quiet_hours: { start: '22:00' } }, 'service_preferences.quiet_hours.end'],
      ['voice', { quiet_hours: { start: '22:00', end: '07:00', timezone: 'UTC' } }, 'service_preferences.quiet_hours'],
      ['voice', { language: 'not a tag!' }, 'service_preferences.language'],
      ['voice', { preferred_voice: 'asst_missing' }, 'service_preferences.preferred_voice'],
      ['voice', { calls_per_day: 0 }, 'service_preferences.calls_per_day'],
      ['chat', { default_reminder_method: 'pigeon' }, 'service_preferences.default_reminder_method'],
      ['chat', { quiet_hours: { start: '22:00', end: '07:00' } }, 'service_preferences'],
      ['scheduling', { timezone: 'Mars/Base' }, 'service_preferences.timezone'],
    ];
    for (const [type, prefs, field] of bad) {
      const r = await api('PATCH', `/v1/me/services/${type}`, u.id, { service_preferences: prefs });
      expect(r.status, `${type} ${JSON.stringify(prefs)}`).toBe(400);
      expect((await r.json()).error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const meta = await api('PATCH', '/v1/me/services/voice', u.id, { service_metadata: { first_used_at: 'x' } });
    expect(meta.status).toBe(400);
    expect((await api('PATCH', '/v1/me/services/telepathy', u.id, { service_preferences: {} })).status).toBe(400);
  });

  it("chat's default reminder method is what a new schedule without one gets", async () => {
    const u = await syncedUser();
    await api('PATCH', '/v1/me/services/chat', u.id, { service_preferences: { default_reminder_method: 'email' } });
    const res = await api('POST', '/v1/schedules', u.id, {
      name: 'Evening',
      schedule_type: 'chat',
      cron_expression: '0 20 * * *',
      timezone: 'UTC',
    });
    expect(res.status).toBe(201);
    expect((await res.json()).reminder_method).toBe('email');
  });
});
