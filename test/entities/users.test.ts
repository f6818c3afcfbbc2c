// users, user_service_profiles, user_sync_logs, user_sessions, user_privacy_settings.
import { randomUUID } from 'node:crypto';
import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
  ValidationError,
} from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { UserSession } from '../../src/entities/user-session.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { makeUser, openTestOrm, reload, uniqueSuffix } from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

describe('users', () => {
  it('round-trips every column', async () => {
    const em = orm.em.fork();
    const id = randomUUID();
    const confirmed = new Date('2026-01-02T03:04:05.678Z');
    em.create(User, {
      id,
      email: `${id}@example.test`,
      phoneNumber: '+15555550123',
      fullName: 'Ada Lovelace',
      displayName: 'Ada',
      bio: 'hello',
      avatarUrl: 'https://example.test/a.png',
      emailConfirmedAt: confirmed,
      phoneConfirmedAt: confirmed,
      lastSignInAt: confirmed,
      currentStreak: 3,
      xp: 120,
      privacySettings: { showStreak: false, nested: { a: [1, 2] } },
      lastActiveAt: confirmed,
    });
    await em.flush();

    const user = await reload(orm, User, id);
    expect(user).toMatchObject({
      id,
      email: `${id}@example.test`,
      phoneNumber: '+15555550123',
      fullName: 'Ada Lovelace',
      displayName: 'Ada',
      isActive: true,
      currentStreak: 3,
      xp: 120,
      privacySettings: { showStreak: false, nested: { a: [1, 2] } },
      deletedAt: null,
    });
    expect(user.emailConfirmedAt).toEqual(confirmed);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.updatedAt).toBeInstanceOf(Date);
  });

  it('defaults the columns the sync does not set', async () => {
    const id = randomUUID();
    await orm.em.fork().insert(User, { id });
    const user = await reload(orm, User, id);
    expect(user).toMatchObject({ isActive: true, currentStreak: 0, xp: 0, privacySettings: {} });
  });

  it('bumps updated_at on update', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const before = user.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    user.displayName = 'Renamed';
    await em.flush();
    expect((await reload(orm, User, user.id)).updatedAt.getTime()).toBeGreaterThan(before.getTime());
  });

  it('rejects a negative xp or streak, and a deleted user that is still active', async () => {
    await expect(makeUser(orm.em.fork(), { xp: -1 })).rejects.toThrow(CheckConstraintViolationException);
    await expect(makeUser(orm.em.fork(), { currentStreak: -1 })).rejects.toThrow(CheckConstraintViolationException);
    await expect(makeUser(orm.em.fork(), { deletedAt: new Date() })).rejects.toThrow(CheckConstraintViolationException);
    await expect(makeUser(orm.em.fork(), { deletedAt: new Date(), isActive: false })).resolves.toBeInstanceOf(User);
  });
});

describe('user_service_profiles', () => {
  it('round-trips, one row per user and service', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const profile = em.create(UserServiceProfile, {
      user,
      serviceType: 'voice',
      servicePreferences: { voice: 'hazel' },
      usageStats: { calls: 2 },
      lastUsedAt: new Date(),
    });
    await em.flush();

    const loaded = await reload(orm, UserServiceProfile, profile.id);
    expect(loaded).toMatchObject({
      serviceType: 'voice',
      servicePreferences: { voice: 'hazel' },
      serviceMetadata: {},
      usageStats: { calls: 2 },
    });
    expect(loaded.user.id).toBe(user.id);
    expect(loaded.lastUsedAt).toBeInstanceOf(Date);

    const dup = orm.em.fork();
    dup.create(UserServiceProfile, { user: user.id, serviceType: 'voice' });
    await expect(dup.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });

  it('rejects an unknown service type and an unknown user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    // The ORM refuses an unknown enum value before SQL; the CHECK also stops one written by plain SQL.
    const bad = orm.em.fork();
    bad.create(UserServiceProfile, { user: user.id, serviceType: 'fax' as never });
    await expect(bad.flush()).rejects.toThrow(ValidationError);
    await expect(
      orm.em
        .fork()
        .execute('insert into user_service_profiles (user_id, service_type) values (?, ?)', [user.id, 'fax']),
    ).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(UserServiceProfile, { user: randomUUID(), serviceType: 'chat' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});

describe('user_sync_logs', () => {
  it('round-trips before/after data', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const log = em.create(UserSyncLog, {
      user,
      syncType: 'update',
      source: 'webhook',
      beforeData: { email: 'old@example.test' },
      afterData: { email: 'new@example.test' },
      success: true,
      requestId: 'req-1',
    });
    await em.flush();
    const loaded = await reload(orm, UserSyncLog, log.id);
    expect(loaded).toMatchObject({
      syncType: 'update',
      source: 'webhook',
      beforeData: { email: 'old@example.test' },
      afterData: { email: 'new@example.test' },
      success: true,
      errorMessage: null,
      requestId: 'req-1',
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);
  });

  it('requires an error message on failure, and a known user', async () => {
    const bad = orm.em.fork();
    bad.create(UserSyncLog, { syncType: 'create', source: 'reconcile', success: false });
    await expect(bad.flush()).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(UserSyncLog, { user: randomUUID(), syncType: 'create', source: 'webhook', success: true });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});

describe('user_sessions', () => {
  it('round-trips, with an inet ip address', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const expiresAt = new Date(Date.now() + 86_400_000);
    const session = em.create(UserSession, {
      user,
      sessionToken: `sha256-${uniqueSuffix()}`,
      serviceType: 'chat',
      ipAddress: '203.0.113.7',
      userAgent: 'vitest',
      deviceInfo: { os: 'ios', version: '18.1' },
      expiresAt,
    });
    await em.flush();
    const loaded = await reload(orm, UserSession, session.id);
    expect(loaded).toMatchObject({
      ipAddress: '203.0.113.7',
      deviceInfo: { os: 'ios', version: '18.1' },
      isActive: true,
      endedAt: null,
    });
    expect(loaded.expiresAt).toEqual(expiresAt);
    expect(loaded.lastActivityAt).toBeInstanceOf(Date);

    const dup = orm.em.fork();
    dup.create(UserSession, { user: user.id, sessionToken: session.sessionToken, serviceType: 'chat', expiresAt });
    await expect(dup.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });

  it('rejects an ended session that is still active, and an expiry in the past of its creation', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const ended = orm.em.fork();
    ended.create(UserSession, {
      user: user.id,
      sessionToken: uniqueSuffix(),
      serviceType: 'voice',
      expiresAt: new Date(Date.now() + 60_000),
      endedAt: new Date(),
    });
    await expect(ended.flush()).rejects.toThrow(CheckConstraintViolationException);

    const expired = orm.em.fork();
    expired.create(UserSession, {
      user: user.id,
      sessionToken: uniqueSuffix(),
      serviceType: 'voice',
      expiresAt: new Date(0),
    });
    await expect(expired.flush()).rejects.toThrow(CheckConstraintViolationException);
  });
});

describe('user_privacy_settings', () => {
  it('round-trips with opt-in defaults, one row per user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const consentDate = new Date('2026-03-01T10:00:00.000Z');
    const settings = em.create(UserPrivacySettings, {
      user,
      piiHandlingPreferences: { redact: ['phone'] },
      consentVersion: '2026-03',
      consentDate,
    });
    await em.flush();
    const loaded = await reload(orm, UserPrivacySettings, settings.id);
    expect(loaded).toMatchObject({
      dataRetentionDays: 365,
      allowLongTermStorage: false,
      autoAnonymizePii: true,
      piiHandlingPreferences: { redact: ['phone'] },
      consentVersion: '2026-03',
    });
    expect(loaded.consentDate).toEqual(consentDate);

    const dup = orm.em.fork();
    dup.create(UserPrivacySettings, { user: user.id });
    await expect(dup.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });

  it('rejects a non-positive retention and a consent version without a date', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const zero = orm.em.fork();
    zero.create(UserPrivacySettings, { user: user.id, dataRetentionDays: 0 });
    await expect(zero.flush()).rejects.toThrow(CheckConstraintViolationException);

    const undated = orm.em.fork();
    undated.create(UserPrivacySettings, { user: user.id, consentVersion: 'v1' });
    await expect(undated.flush()).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(UserPrivacySettings, { user: randomUUID() });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});
