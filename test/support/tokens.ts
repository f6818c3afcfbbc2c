import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { TEST_JWT_ISSUER, TEST_JWT_SECRET } from './constants.ts';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

/** A Supabase-shaped access token signed with the test project's HS256 secret (its issuer unless `iss` is given). */
export function userToken(claims: JWTPayload = {}, opts: { key?: Uint8Array; expiresIn?: string | number } = {}) {
  return new SignJWT({ role: 'authenticated', aal: 'aal1', session_id: randomUUID(), iss: TEST_JWT_ISSUER, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject((claims.sub as string) ?? randomUUID())
    .setAudience((claims.aud as string) ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(opts.key ?? secret);
}

/** An unsigned token (`alg: none`), which must never be accepted. */
export function unsignedToken(sub = randomUUID()) {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, aud: 'authenticated', role: 'authenticated', exp: now + 3600, iat: now })}.`;
}
