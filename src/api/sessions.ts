// Records the Supabase session behind each authenticated request in user_sessions, and tells the caller
// whether the user was soft-deleted (their requests are refused). One row per Supabase session: the key
// is a sha256 of the `session_id` claim (of the token itself when a token has none), so the hourly token
// refresh updates the same row, and nothing stored can be replayed as a credential.
// Writes are throttled per process: a session's row is touched at most once per USER_SESSION_TOUCH_SECONDS.
// device_info is parsed from User-Agent and X-Client-Info (src/domain/device-info.ts).
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import type { ServiceType } from '../domain/enums.ts';
import { clientVersions, deviceInfo } from '../domain/device-info.ts';
import { identityHash } from '../domain/erasure.ts';

export interface SessionSighting {
  userId: string;
  sessionId: string | null;
  token: string;
  /** The token's `exp` (seconds). */
  expiresAt: number;
}

export type UserStanding = 'active' | 'deleted' | 'erased' | 'unknown';

const MAX_TRACKED = 10_000;
/** service_metadata.client_versions keeps the latest this many distinct versions. */
const MAX_CLIENT_VERSIONS = 10;

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

export const sessionKey = (s: Pick<SessionSighting, 'sessionId' | 'token'>) =>
  sha256Hex(s.sessionId ? `session:${s.sessionId}` : `token:${s.token}`);

/** Which service the session is for, from the first route it was seen on. */
function serviceFor(path: string): ServiceType {
  if (/^\/v1\/(calls|voice)/.test(path)) return 'voice';
  if (/^\/v1\/schedules/.test(path)) return 'scheduling';
  return 'chat';
}

export function sessionRecorder(touchSeconds: number, tombstoneKey: string) {
  const lastTouch = new Map<string, number>();

  return async function record(c: Context<AppEnv>, s: SessionSighting): Promise<UserStanding> {
    const key = sessionKey(s);
    const now = Date.now();
    const throttled = (lastTouch.get(key) ?? 0) > now - touchSeconds * 1000;
    const em = c.var.em;
    const tombstone = identityHash(tombstoneKey, s.userId);
    if (throttled) {
      const rows = await em.execute<Standing[]>(
        `select (select deleted_at is not null from users where id = ?) as deleted,
           exists (select 1 from erased_identities where identity_hash = ?) as erased`,
        [s.userId, tombstone],
      );
      return standing(rows[0]);
    }
    const device = deviceInfo(c.req.header('user-agent'), c.req.header('x-client-info'));
    // One round trip: read the user's standing and, for a live user, upsert the session (an ended
    // session is not revived) and note the service's first use and the client versions seen
    // (service_metadata; the profile row is written only when either is new).
    const rows = await em.execute<Standing[]>(
      `with u as (select id, deleted_at from users where id = ?),
       touched as (
         insert into user_sessions (user_id, session_token, service_type, ip_address, user_agent, device_info, expires_at, last_activity_at)
         select u.id, ?, ?, ?::inet, ?, ?::jsonb, to_timestamp(?), now() from u where u.deleted_at is null
         on conflict (session_token) do update set last_activity_at = excluded.last_activity_at,
           ip_address = coalesce(excluded.ip_address, user_sessions.ip_address),
           user_agent = coalesce(excluded.user_agent, user_sessions.user_agent),
           device_info = excluded.device_info,
           expires_at = greatest(user_sessions.expires_at, excluded.expires_at)
         where user_sessions.is_active and user_sessions.user_id = excluded.user_id
         returning 1),
       profile as (
         insert into user_service_profiles (user_id, service_type, service_metadata)
         select u.id, ?, jsonb_build_object('first_used_at', now(), 'client_versions', ?::jsonb) from u where u.deleted_at is null
         on conflict (user_id, service_type) do update set updated_at = now(),
           service_metadata = user_service_profiles.service_metadata || jsonb_build_object(
             'first_used_at', coalesce(user_service_profiles.service_metadata->'first_used_at', to_jsonb(now())),
             'client_versions', (
               select coalesce(jsonb_agg(v order by first), '[]'::jsonb) from (
                 select v, min(n) as first from (
                   select v, n from jsonb_array_elements_text(excluded.service_metadata->'client_versions') with ordinality as a(v, n)
                   union all
                   select v, n + 1000 from jsonb_array_elements_text(coalesce(user_service_profiles.service_metadata->'client_versions', '[]'::jsonb)) with ordinality as b(v, n)
                 ) seen group by v order by min(n) limit ${MAX_CLIENT_VERSIONS}) latest))
         where user_service_profiles.service_metadata->'first_used_at' is null
           or not (coalesce(user_service_profiles.service_metadata->'client_versions', '[]'::jsonb) @> (excluded.service_metadata->'client_versions'))
         returning 1)
       select (select deleted_at is not null from u) as deleted,
         exists (select 1 from erased_identities where identity_hash = ?) as erased`,
      [
        s.userId,
        key,
        serviceFor(c.req.path),
        c.var.clientIp ?? null,
        c.req.header('user-agent')?.slice(0, 512) ?? null,
        JSON.stringify(device),
        s.expiresAt,
        serviceFor(c.req.path),
        JSON.stringify(clientVersions(device)),
        tombstone,
      ],
    );
    const result = standing(rows[0]);
    // An unknown (not yet synced) user's session is recorded on the first request after the sync.
    if (result === 'active') {
      if (lastTouch.size >= MAX_TRACKED) lastTouch.clear();
      lastTouch.set(key, now);
    }
    return result;
  };
}

interface Standing {
  deleted: boolean | null;
  erased: boolean;
}

const standing = (row: Standing | undefined): UserStanding =>
  row?.erased ? 'erased' : row?.deleted == null ? 'unknown' : row.deleted ? 'deleted' : 'active';
