import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  mapAuthUser,
  needsSync,
  normalizePhone,
  planDeletion,
  planSync,
  type AuthUser,
  type LocalUser,
  type SyncedFields,
} from '../../src/domain/user-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { periodicJobs } from '../../src/clock/periodic.ts';

const id = '2f0c8a52-8a5e-4b8e-9d0a-6c1f9f3f1e11';
const now = new Date('2026-06-01T12:00:00Z');

const auth = (over: Partial<AuthUser> = {}): AuthUser => ({
  id,
  email: 'Robin@Example.test',
  phone: '',
  email_confirmed_at: '2026-01-01T00:00:00.123456Z',
  last_sign_in_at: '2026-01-02T00:00:00Z',
  updated_at: '2026-01-02T00:00:00.500999Z',
  user_metadata: { full_name: 'Robin Example', avatar_url: 'https://cdn.example.test/r.png' },
  ...over,
});

/** Our row as a create of `a` leaves it. */
const localFrom = (a: AuthUser, over: Partial<LocalUser> = {}): LocalUser => ({
  id,
  display_name_set_in_app: false,
  deleted_at: null,
  ...mapAuthUser(a, null),
  ...over,
});

describe('mapAuthUser', () => {
  it('maps Auth fields to our columns: lower-case email, E.164 phone, ms times, metadata names', () => {
    expect(mapAuthUser(auth({ phone: '15555550123' }), null)).toEqual({
      email: 'robin@example.test',
      phone_number: '+15555550123',
      full_name: 'Robin Example',
      display_name: null,
      avatar_url: 'https://cdn.example.test/r.png',
      email_confirmed_at: '2026-01-01T00:00:00.123Z',
      phone_confirmed_at: null,
      last_sign_in_at: '2026-01-02T00:00:00.000Z',
      auth_updated_at: '2026-01-02T00:00:00.500Z',
    } satisfies SyncedFields);
  });

  it('reads OAuth-style metadata (name, picture) and refuses non-http avatars', () => {
    const m = mapAuthUser(
      auth({ user_metadata: { name: 'Sam', picture: 'javascript:alert(1)', preferred_username: 'sammy' } }),
      null,
    );
    expect(m).toMatchObject({ full_name: 'Sam', avatar_url: null, display_name: 'sammy' });
  });

  it('keeps our values for metadata keys Auth does not have, and a display name the user set in the app', () => {
    const local = localFrom(auth(), { display_name: 'Mine', display_name_set_in_app: true });
    const m = mapAuthUser(auth({ user_metadata: { display_name: 'Theirs' } }), local);
    expect(m).toMatchObject({
      full_name: 'Robin Example',
      avatar_url: 'https://cdn.example.test/r.png',
      display_name: 'Mine',
    });
  });

  it.each([
    ['', null],
    ['+44 20 7946 0958', '+442079460958'],
    ['12', null],
    ['not a phone', null],
  ])('phone %j -> %j', (input, out) => {
    expect(normalizePhone(input)).toBe(out);
  });
});

describe('planSync', () => {
  it('creates an unknown user; the log holds the fields set', () => {
    const plan = planSync(null, auth(), now);
    expect(plan.type).toBe('create');
    expect(plan).toMatchObject({ before: null, after: { email: 'robin@example.test', full_name: 'Robin Example' } });
    expect(Object.values((plan as { after: object }).after)).not.toContain(null);
  });

  it('updates with a diff of the changed fields only', () => {
    const a = auth();
    const plan = planSync(localFrom(a), auth({ email: 'new@example.test', updated_at: '2026-02-01T00:00:00Z' }), now);
    expect(plan).toMatchObject({
      type: 'update',
      before: { email: 'robin@example.test', auth_updated_at: '2026-01-02T00:00:00.500Z' },
      after: { email: 'new@example.test', auth_updated_at: '2026-02-01T00:00:00.000Z' },
    });
    expect(Object.keys((plan as { after: object }).after).sort()).toEqual(['auth_updated_at', 'email']);
  });

  it('ignores an older snapshot and a replay', () => {
    const newer = auth({ email: 'newer@example.test', updated_at: '2026-03-01T00:00:00Z' });
    const local = localFrom(newer);
    expect(planSync(local, auth(), now)).toEqual({ type: 'noop', reason: 'stale' });
    expect(planSync(local, newer, now)).toEqual({ type: 'noop', reason: 'unchanged' });
  });

  it('never resurrects a soft-deleted user, and treats an Auth-deleted user as a deletion', () => {
    const deleted = localFrom(auth(), { deleted_at: '2026-04-01T00:00:00.000Z' });
    expect(planSync(deleted, auth({ updated_at: '2027-01-01T00:00:00Z' }), now)).toEqual({
      type: 'noop',
      reason: 'already_deleted',
    });
    expect(planSync(localFrom(auth()), auth({ deleted_at: '2026-05-01T00:00:00Z' }), now)).toMatchObject({
      type: 'delete',
      before: { deleted_at: null, is_active: true },
      after: { deleted_at: now.toISOString(), is_active: false },
    });
    expect(planDeletion(null, now)).toEqual({ type: 'noop', reason: 'unknown_user' });
  });

  it('applying a plan and syncing the same snapshot again is always a no-op (property)', () => {
    const time = fc
      .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const snapshot = fc.record({
      id: fc.constant(id),
      email: fc.option(fc.emailAddress(), { nil: null }),
      phone: fc.option(fc.stringMatching(/^\d{6,15}$/), { nil: null }),
      updated_at: time,
      last_sign_in_at: fc.option(time, { nil: null }),
      user_metadata: fc.dictionary(
        fc.constantFrom('full_name', 'name', 'display_name', 'avatar_url', 'other'),
        fc.string(),
      ),
    });
    fc.assert(
      fc.property(fc.option(snapshot, { nil: null }), snapshot, fc.boolean(), (first, second, setInApp) => {
        let local: LocalUser | null = first
          ? localFrom(first, { display_name_set_in_app: setInApp, display_name: setInApp ? 'Mine' : null })
          : null;
        const plan = planSync(local, second, now);
        if (plan.type === 'create' || plan.type === 'update')
          local = { ...(local ?? localFrom(second)), ...plan.fields };
        expect(planSync(local, second, now).type).toBe(local ? 'noop' : 'create');
        if (setInApp && local && first) expect(local.display_name).toBe('Mine');
      }),
    );
  });
});

describe('needsSync (reconciliation)', () => {
  it('is true for unknown users and a different Auth updated_at only', () => {
    const a = auth();
    expect(needsSync(undefined, a)).toBe(true);
    expect(needsSync(localFrom(a), a)).toBe(false);
    expect(needsSync(localFrom(a), auth({ updated_at: '2026-05-05T00:00:00Z' }))).toBe(true);
  });
});

describe('configuration', () => {
  it('schedules user-reconcile only where the admin API is configured, on USER_RECONCILE_CRON (hourly by default)', () => {
    expect(periodicJobs(loadConfig({ NODE_ENV: 'test' })).map((p) => p.id)).not.toContain('user-reconcile');
    const configured = loadConfig({
      NODE_ENV: 'test',
      SUPABASE_URL: 'https://x.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
    });
    expect(periodicJobs(configured).find((p) => p.id === 'user-reconcile')).toMatchObject({
      cron: '0 * * * *',
      payload: {},
    });
    expect(() => loadConfig({ NODE_ENV: 'test', USER_RECONCILE_CRON: 'every hour' })).toThrow(
      /USER_RECONCILE_CRON: not a cron pattern/,
    );
  });
});
