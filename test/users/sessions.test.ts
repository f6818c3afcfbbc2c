// Every authenticated request records its Supabase session; writes are throttled; deleted users get 403.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserSyncPlatform, type UserSyncPlatform } from '../support/user-sync-platform.ts';
import { makeUser } from '../entities/fixtures.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserSession } from '../../src/entities/user-session.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';

let s: UserSyncPlatform;
beforeAll(async () => {
  // One proxy in front (a platform router): it appends the address it saw to X-Forwarded-For.
  s = await createUserSyncPlatform({ USER_SESSION_TOUCH_SECONDS: '1', TRUST_PROXY_HOPS: '1' });
});
afterAll(() => s.close());

const em = () => s.platform.orm.em.fork();
const me = (token: string, headers: Record<string, string> = {}) =>
  s.platform.app.request('/v1/me', { headers: { authorization: `Bearer ${token}`, ...headers } });
const sessionRow = (sessionId: string) =>
  em().findOne(UserSession, { sessionToken: createHash('sha256').update(`session:${sessionId}`).digest('hex') });

describe('sessions', () => {
  it('records the session on first sight: hashed key, ip, user agent, expiry from the token', async () => {
    const user = await makeUser(em());
    const sessionId = randomUUID();
    const token = await s.token(user.id, { session_id: sessionId });
    // The client sent a forged first entry; the router appended the address it saw.
    const res = await me(token, {
      'x-forwarded-for': '198.51.100.9, 203.0.113.7',
      'user-agent': 'HearthApp/2.1 (iOS)',
    });
    expect(res.status).toBe(200);

    const row = await sessionRow(sessionId);
    expect(row).toMatchObject({
      ipAddress: '203.0.113.7',
      userAgent: 'HearthApp/2.1 (iOS)',
      serviceType: 'chat',
      isActive: true,
      endedAt: null,
    });
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp;
    expect(row!.expiresAt.getTime()).toBe(exp * 1000);
    // Neither the token nor any part of it is stored.
    const all = JSON.stringify(await em().find(UserSession, { user: user.id }));
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toContain(sessionId);
  });

  it('records coarse device info and, on the service profile, first use and the client versions seen', async () => {
    const user = await makeUser(em());
    const sessionId = randomUUID();
    const chrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36';
    const res = await me(await s.token(user.id, { session_id: sessionId }), {
      'user-agent': chrome,
      'x-client-info': 'supabase-js-web/2.45.4',
    });
    expect(res.status).toBe(200);
    expect((await sessionRow(sessionId))!.deviceInfo).toEqual({
      platform: 'desktop',
      os: 'Windows',
      os_version: '10',
      kind: 'browser',
      app: 'Chrome',
      app_version: '131.0',
      client: 'supabase-js-web',
      client_version: '2.45.4',
    });
    const profile = await em().findOneOrFail(UserServiceProfile, { user: user.id, serviceType: 'chat' });
    expect(profile.serviceMetadata.client_versions).toEqual(['supabase-js-web/2.45.4']);
    const firstUse = profile.serviceMetadata.first_used_at;
    expect(typeof firstUse).toBe('string');

    // Another session from the app: its version joins the list, first use stays.
    await me(await s.token(user.id), {
      'user-agent': 'HearthApp/3.0.1 (Android 14)',
      'x-client-info': 'supabase-flutter/2.5.0',
    });
    const after = await em().findOneOrFail(UserServiceProfile, { user: user.id, serviceType: 'chat' });
    expect(after.serviceMetadata).toEqual({
      first_used_at: firstUse,
      client_versions: ['HearthApp/3.0.1', 'supabase-flutter/2.5.0', 'supabase-js-web/2.45.4'],
    });
  });

  it('a refreshed token of the same session updates the same row, at most once per touch interval', async () => {
    const user = await makeUser(em());
    const sessionId = randomUUID();
    await me(await s.token(user.id, { session_id: sessionId }));
    const first = (await sessionRow(sessionId))!.lastActivityAt;

    await me(await s.token(user.id, { session_id: sessionId }), { 'user-agent': 'changed' });
    expect((await sessionRow(sessionId))!.lastActivityAt).toEqual(first); // throttled: no write

    await new Promise((r) => setTimeout(r, 1_100));
    await me(await s.token(user.id, { session_id: sessionId }), { 'user-agent': 'changed' });
    const later = (await sessionRow(sessionId))!;
    expect(later.lastActivityAt.getTime()).toBeGreaterThan(first.getTime());
    expect(later.userAgent).toBe('changed');
    expect(await em().count(UserSession, { user: user.id })).toBe(1);
  });

  it('a user not synced yet is served without a session row', async () => {
    const id = randomUUID();
    const res = await me(await s.token(id));
    expect(await res.json()).toMatchObject({ id, synced: false });
    expect(await em().count(UserSession, { user: id })).toBe(0);
  });

  it('a soft-deleted user is 403, even inside the throttle window', async () => {
    const user = await makeUser(em());
    const token = await s.token(user.id);
    expect((await me(token)).status).toBe(200);
    await em().nativeUpdate(User, user.id, { deletedAt: new Date(), isActive: false });
    const res = await me(token);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN');
    expect(
      (await s.platform.app.request('/v1/me/sync', { method: 'POST', headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(403);
  });
});
