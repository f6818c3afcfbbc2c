// npm run dev:token: a local identity in development, nothing at all outside it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../src/config.ts';
import { User } from '../../src/entities/user.entity.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';

/** Runs the CLI as `npm run dev:token -- ...args` would, with the test database and these variables. */
function devToken(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['src/dev/token.ts', ...args], {
    env: { ...process.env, SUPABASE_JWT_SECRET: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, token: lines.at(-1) ?? '' };
}

const email = () => `dev-${crypto.randomUUID().slice(0, 8)}@example.com`;
const me = (p: TestPlatform, token: string) =>
  p.app.request('/v1/me', { headers: { authorization: `Bearer ${token}` } });

let development: TestPlatform;
beforeAll(async () => {
  // As `npm start` runs locally: development, no Supabase project.
  development = await createTestPlatform({ NODE_ENV: 'development', SUPABASE_JWT_SECRET: '' });
});
afterAll(() => development.close());

// Each run of the command starts a Node process and opens the database: seconds on a loaded machine.
describe('in development', { timeout: 120_000 }, () => {
  it('creates a user as user sync would and prints a token the API accepts, as the last line', async () => {
    const address = email();
    const run = devToken([address, '--phone', '+15555550142'], { NODE_ENV: 'development' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^created user [0-9a-f-]{36} /);
    const res = await me(development, run.token);
    expect(res.status).toBe(200);
    const { id, synced } = (await res.json()) as { id: string; synced: boolean };
    expect(synced).toBe(true);
    const [row] = await development.orm.em.fork().execute(
      `select u.email, u.phone_number, u.phone_confirmed_at is not null as phone_confirmed,
           (select count(*)::int from user_privacy_settings where user_id = u.id) as privacy_rows,
           (select count(*)::int from user_sync_logs where user_id = u.id and sync_type = 'create') as creates
         from users u where u.id = ?`,
      [id],
    );
    expect(row).toEqual({
      email: address,
      phone_number: '+15555550142',
      phone_confirmed: true,
      privacy_rows: 1,
      creates: 1,
    });
  });

  it('reuses the user on a second run', async () => {
    const address = email();
    const first = devToken([address], { NODE_ENV: 'development' });
    const second = devToken([address.toUpperCase()], { NODE_ENV: 'development' });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^reused user /);
    const ids = await Promise.all(
      [first.token, second.token].map(async (t) => ((await (await me(development, t)).json()) as { id: string }).id),
    );
    expect(ids[0]).toBe(ids[1]);
  });

  it('refuses a bad email with a usage line', () => {
    const run = devToken(['not-an-email'], { NODE_ENV: 'development' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/EMAIL is not an email address \(usage: npm run dev:token/);
  });
});

describe('outside development', { timeout: 120_000 }, () => {
  it('the command refuses to run and makes no user', async () => {
    for (const NODE_ENV of ['test', 'production']) {
      const address = email();
      const run = devToken([address], {
        NODE_ENV,
        SUPABASE_URL: 'http://127.0.0.1:9',
        ADMIN_TOKEN: 'a-production-admin-token',
        SAFETY_LINK_SECRET: 'a-production-safety-link-secret-0123456789',
        VAPI_WEB_CALL_SECRET: 'a-production-web-call-secret-0123456789',
        ERASURE_TOMBSTONE_KEY: 'a-production-erasure-tombstone-key-0123456789',
        PUBLIC_BASE_URL: 'https://hearth.example.test',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`development only (NODE_ENV is ${NODE_ENV})`);
      expect(run.stdout).toBe('');
      expect(await development.orm.em.fork().count(User, { email: address })).toBe(0);
    }
  });

  it('the API refuses tokens signed with the development secret', async () => {
    const run = devToken([email()], { NODE_ENV: 'development' });
    expect((await me(development, run.token)).status).toBe(200);
    const devSigned = await userToken({}, { key: new TextEncoder().encode(DEV_JWT_SECRET) });
    // test and production, with and without a Supabase secret of their own
    const testEnvs: Record<string, string>[] = [{ NODE_ENV: 'test' }, { NODE_ENV: 'test', SUPABASE_JWT_SECRET: '' }];
    for (const env of testEnvs) {
      const p = await createTestPlatform(env);
      try {
        for (const token of [run.token, devSigned]) expect((await me(p, token)).status).toBe(401);
      } finally {
        await p.close();
      }
    }
    const production = await createTestPlatform({
      NODE_ENV: 'production',
      SUPABASE_JWT_SECRET: '',
      SUPABASE_URL: 'http://127.0.0.1:9',
      ADMIN_TOKEN: 'a-production-admin-token',
      SAFETY_LINK_SECRET: 'a-production-safety-link-secret-0123456789',
      VAPI_WEB_CALL_SECRET: 'a-production-web-call-secret-0123456789',
      ERASURE_TOMBSTONE_KEY: 'a-production-erasure-tombstone-key-0123456789',
      PUBLIC_BASE_URL: 'https://hearth.example.test',
    });
    try {
      expect((await me(production, run.token)).status).toBe(401);
    } finally {
      await production.close();
    }
  });
});
