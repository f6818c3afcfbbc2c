// The Supabase Auth admin API, the calls user sync and erasure need, through @supabase/supabase-js with the
// service role key. Server side only. Errors other than "no such user" throw, so the job retries.
import { createClient } from '@supabase/supabase-js';
import type { Config } from '../config.ts';
import type { AuthUser } from '../domain/user-sync.ts';

export interface AuthAdmin {
  /** The user, or null when Auth has no such user (404). */
  getUser(id: string): Promise<AuthUser | null>;
  /** One page (1-based) of `perPage` users. A short page is the last one: never trust `nextPage`. */
  listUsers(page: number, perPage: number): Promise<AuthUser[]>;
  /** Deletes the user for good (DELETE /auth/v1/admin/users/{id}, not a soft delete); a 404 means already gone. */
  deleteUser(id: string): Promise<'deleted' | 'already_gone'>;
}

export class AuthAdminError extends Error {
  override name = 'AuthAdminError';
}

const fail = (what: string, err: { status?: number; message: string }) =>
  new AuthAdminError(`supabase auth ${what} failed (status ${err.status ?? 'none'}): ${err.message.slice(0, 200)}`);

type AuthAdminConfig = Pick<Config, 'SUPABASE_URL' | 'SUPABASE_SERVICE_ROLE_KEY'> &
  Partial<Pick<Config, 'SUPABASE_TIMEOUT_MS'>>;

/** supabase-js sets no timeout of its own: a hung Auth API would hold the job until its lock expired. */
const fetchWithin =
  (ms: number): typeof fetch =>
  (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms),
    });

export function createAuthAdmin(config: AuthAdminConfig): AuthAdmin {
  if (!config.SUPABASE_URL || !config.SUPABASE_SERVICE_ROLE_KEY) {
    throw new AuthAdminError('user sync needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
  }
  const { auth } = createClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
    global: { fetch: fetchWithin(config.SUPABASE_TIMEOUT_MS ?? 10_000) },
  });
  return {
    async getUser(id) {
      const { data, error } = await auth.admin.getUserById(id);
      if (error?.status === 404) return null;
      if (error) throw fail('get user', error);
      return data.user as AuthUser;
    },
    async listUsers(page, perPage) {
      const { data, error } = await auth.admin.listUsers({ page, perPage });
      if (error) throw fail('list users', error);
      if (!Array.isArray(data.users))
        throw new AuthAdminError('supabase auth list users: no users array in the answer');
      return data.users as AuthUser[];
    },
    async deleteUser(id) {
      const { error } = await auth.admin.deleteUser(id, false);
      if (error?.status === 404) return 'already_gone';
      if (error) throw fail('delete user', error);
      return 'deleted';
    },
  };
}

let shared: { key: string; admin: AuthAdmin } | undefined;

/** One client per process for the given config (workers build it on first use). */
export function authAdminFor(config: AuthAdminConfig): AuthAdmin {
  const key = `${config.SUPABASE_URL}|${config.SUPABASE_SERVICE_ROLE_KEY}`;
  if (shared?.key !== key) shared = { key, admin: createAuthAdmin(config) };
  return shared.admin;
}
