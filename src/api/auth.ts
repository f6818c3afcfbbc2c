// Three kinds of caller: users (Supabase access tokens), services (API keys), admins (one token).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { type Config, DEV_JWT_SECRET } from '../config.ts';
import { AppError, errorResponse } from './errors.ts';
import type { AppEnv } from './env.ts';
import { sessionRecorder } from './sessions.ts';
import { unsupportedBody } from './guards.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented secret with the accepted ones (hashing evens out lengths). */
export function secretMatches(presented: string, accepted: readonly string[]): boolean {
  const digest = sha256(presented);
  let match = false;
  for (const key of accepted) match = timingSafeEqual(digest, sha256(key)) || match;
  return match;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', message);

type UserAuthConfig = Pick<
  Config,
  'NODE_ENV' | 'SUPABASE_JWT_SECRET' | 'SUPABASE_URL' | 'SUPABASE_JWT_AUDIENCE' | 'ERASURE_TOMBSTONE_KEY'
> &
  Partial<Pick<Config, 'USER_SESSION_TOUCH_SECONDS' | 'SUPABASE_JWT_ISSUER'>>;

/** `iss` of the development identities `npm run dev:token` makes (no Supabase project configured). */
export const DEV_JWT_ISSUER = 'hearth-dev';

/**
 * The HS256 secret user tokens are verified with: the Supabase project's, else (development only, no Supabase
 * project configured) DEV_JWT_SECRET, which `npm run dev:token` signs local identities with. In test and
 * production a token signed with it is refused like any other bad signature.
 */
export function userTokenSecret(
  config: Pick<Config, 'NODE_ENV' | 'SUPABASE_JWT_SECRET' | 'SUPABASE_URL'>,
): string | undefined {
  if (config.SUPABASE_JWT_SECRET) return config.SUPABASE_JWT_SECRET;
  return config.NODE_ENV === 'development' && !config.SUPABASE_URL ? DEV_JWT_SECRET : undefined;
}

/**
 * The issuer user tokens must name: the project's Auth URL (SUPABASE_URL/auth/v1), else SUPABASE_JWT_ISSUER,
 * else, for development identities, DEV_JWT_ISSUER. Undefined only in development or test with an HS256
 * secret and no issuer configured (a deployment must configure one: src/config.ts).
 */
export function tokenIssuer(
  config: Pick<Config, 'NODE_ENV' | 'SUPABASE_JWT_SECRET' | 'SUPABASE_URL'> &
    Partial<Pick<Config, 'SUPABASE_JWT_ISSUER'>>,
): string | undefined {
  if (config.SUPABASE_URL) return new URL('/auth/v1', config.SUPABASE_URL).href;
  if (config.SUPABASE_JWT_ISSUER) return config.SUPABASE_JWT_ISSUER;
  return userTokenSecret(config) === DEV_JWT_SECRET ? DEV_JWT_ISSUER : undefined;
}

/**
 * Verifies Supabase access tokens with jose: HS256 against the project's JWT secret, ES256/RS256
 * against its JWKS. Pins algorithms (so `alg: none` and algorithm confusion fail), audience and the issuer
 * (tokenIssuer). Accepts only signed-in, non-anonymous users (`role: authenticated`, a UUID `sub`, no
 * `is_anonymous: true`: an anonymous sign-in is free and unlimited, so it would void every per-user limit).
 * Records the request's Supabase session in user_sessions (src/api/sessions.ts); a soft-deleted user is 403,
 * an erased one (its tombstone, src/domain/erasure.ts) 410 ACCOUNT_ERASED.
 */
export function userAuth(config: UserAuthConfig): MiddlewareHandler<AppEnv> {
  const secretText = userTokenSecret(config);
  const secret = secretText ? new TextEncoder().encode(secretText) : undefined;
  const jwks = config.SUPABASE_URL
    ? createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', config.SUPABASE_URL), { timeoutDuration: 3_000 })
    : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['ES256', 'RS256'] : [])];
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (jwks) return jwks(header, token);
    throw unauthorized('token algorithm not accepted');
  };
  const issuer = tokenIssuer(config);
  const options: JWTVerifyOptions = {
    algorithms,
    audience: config.SUPABASE_JWT_AUDIENCE,
    ...(issuer ? { issuer } : {}),
    requiredClaims: ['sub', 'exp'],
  };

  const recordSession = sessionRecorder(config.USER_SESSION_TOUCH_SECONDS ?? 60, config.ERASURE_TOMBSTONE_KEY);

  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) return errorResponse(c, unauthorized('missing bearer token'));
    if (algorithms.length === 0) return errorResponse(c, unauthorized('user authentication is not configured'));
    let expiresAt: number;
    try {
      const { payload } = await jwtVerify(token, getKey, options);
      if (payload.role !== 'authenticated') throw unauthorized('not a signed-in user token');
      if (!/^[0-9a-f-]{36}$/i.test(payload.sub ?? '')) throw unauthorized('token subject is not a user id');
      if (payload.is_anonymous === true)
        throw new AppError('FORBIDDEN', 'anonymous sign-ins cannot use Hearth: sign in with an email or phone');
      c.set('user', {
        id: payload.sub!.toLowerCase(),
        sessionId: typeof payload.session_id === 'string' ? payload.session_id.slice(0, 100) : null,
      });
      expiresAt = payload.exp!;
    } catch (err) {
      if (err instanceof AppError) return errorResponse(c, err);
      const reason = err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
      return errorResponse(c, unauthorized(reason));
    }
    const { id, sessionId } = c.var.user;
    const standing = await recordSession(c, { userId: id, sessionId, token, expiresAt }).catch(() => {
      throw new AppError('UNAVAILABLE', 'cannot check the account right now');
    });
    if (standing === 'erased')
      return errorResponse(c, new AppError('ACCOUNT_ERASED', 'this account was erased and cannot be used again'));
    if (standing === 'deleted') return errorResponse(c, new AppError('FORBIDDEN', 'this account has been deleted'));
    const unsupported = unsupportedBody(c);
    if (unsupported) return unsupported;
    await next();
  };
}

/** Service-to-service calls: `Authorization: Bearer <one of SERVICE_API_KEYS>`. */
export function serviceAuth(keys: readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token || keys.length === 0 || !secretMatches(token, keys)) {
      return errorResponse(c, unauthorized('a valid service key is required'));
    }
    const unsupported = unsupportedBody(c);
    if (unsupported) return unsupported;
    await next();
  };
}

/** Admin pages: the admin token as a bearer token, or as the password of HTTP basic auth (browsers). */
export function adminAuth(adminToken: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    let presented = bearer(header);
    const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
    if (!presented && basic) presented = Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':');
    if (!presented || !secretMatches(presented, [adminToken])) {
      return errorResponse(c, unauthorized('admin token required'), {
        'WWW-Authenticate': 'Basic realm="hearth admin", charset="UTF-8"',
      });
    }
    const unsupported = unsupportedBody(c);
    if (unsupported) return unsupported;
    await next();
  };
}
