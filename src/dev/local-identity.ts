// A local identity for development: a user made as user sync would make it from Supabase Auth, and an access
// token shaped like Supabase's, signed with the secret the API verifies (SUPABASE_JWT_SECRET, or the
// development-only DEV_JWT_SECRET when no Supabase project is configured: src/api/auth.ts). Outside
// development none of this works: userTokenSecret refuses the development secret.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SignJWT } from 'jose';
import type { Config } from '../config.ts';
import { DEV_JWT_ISSUER, tokenIssuer, userTokenSecret } from '../api/auth.ts';
import type { AuthUser } from '../domain/user-sync.ts';
import { syncUsers } from '../workers/user-sync-store.ts';

export interface LocalUserRequest {
  email: string;
  /** E.164; stored as the account's confirmed phone number (as if Auth had confirmed it). */
  phone?: string;
}

/**
 * The id of the live user with this email, created first if there is none: the same statements as a user-sync
 * job, from an Auth snapshot made here (email confirmed now). A second run with other details updates them.
 */
export async function ensureLocalUser(
  em: EntityManager,
  req: LocalUserRequest,
  tombstoneKey: string,
): Promise<{ id: string; created: boolean }> {
  const email = req.email.trim().toLowerCase();
  const [existing] = await em.execute<{ id: string }[]>(
    'select id from users where lower(email) = ? and deleted_at is null order by created_at limit 1',
    [email],
  );
  const id = existing?.id ?? randomUUID();
  const now = new Date().toISOString();
  const auth: AuthUser = {
    id,
    email,
    email_confirmed_at: now,
    phone: req.phone ?? null,
    phone_confirmed_at: req.phone ? now : null,
    last_sign_in_at: now,
    updated_at: now,
    user_metadata: { full_name: email.split('@')[0] },
  };
  await syncUsers(
    em,
    [{ id, auth, logId: randomUUID() }],
    { source: 'admin', requestId: null, sessionId: null },
    { logNoops: true, tombstoneKey },
  );
  return { id, created: !existing };
}

/** A Supabase-shaped access token for `userId` that this platform's API accepts (throws outside development without SUPABASE_JWT_SECRET). */
export async function localAccessToken(config: Config, userId: string, expiresIn = '12h'): Promise<string> {
  const secret = userTokenSecret(config);
  if (!secret)
    throw new Error('no HS256 secret to sign with: set SUPABASE_JWT_SECRET, or run with NODE_ENV=development');
  return new SignJWT({ role: 'authenticated', aal: 'aal1', session_id: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience(config.SUPABASE_JWT_AUDIENCE)
    .setIssuer(tokenIssuer(config) ?? DEV_JWT_ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
