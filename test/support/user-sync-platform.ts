// A test platform wired to a fake Supabase Auth: the workers' admin client reads SUPABASE_URL and
// SUPABASE_SERVICE_ROLE_KEY from the process config, so they are set before anything reads it.
import { createTestPlatform, type TestPlatform } from './platform.ts';
import { FakeSupabaseAuth } from './fake-supabase-auth.ts';
import { userToken } from './tokens.ts';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';

export interface UserSyncPlatform {
  platform: TestPlatform;
  fake: FakeSupabaseAuth;
  /** A user token the platform accepts (HS256, issuer pinned to the fake project). */
  token(sub: string, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function createUserSyncPlatform(env: Record<string, string> = {}): Promise<UserSyncPlatform> {
  const fake = await new FakeSupabaseAuth().start();
  Object.assign(process.env, {
    SUPABASE_URL: fake.url,
    SUPABASE_SERVICE_ROLE_KEY: fake.serviceKey,
    SUPABASE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...env,
  });
  const platform = await createTestPlatform(env);
  return {
    platform,
    fake,
    token: (sub, claims = {}) => userToken({ sub, iss: `${fake.url}/auth/v1`, ...claims }),
    async close() {
      await platform.close();
      await fake.stop();
    },
  };
}
