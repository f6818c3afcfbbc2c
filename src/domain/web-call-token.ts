// The token that ties an in-app (web) Vapi call to the Hearth user who asked for it. The app's Vapi web
// client sets assistantOverrides.metadata itself, so a user id there proves nothing; this token, signed by
// Hearth (HMAC-SHA256 over the voice_calls id, its user and the expiry), does. The user id is not in the
// token: the verifier takes it from the row the token names, so a token names exactly one call of one user.
// Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (secret: string, voiceCallId: string, userId: string, exp: number) =>
  createHmac('sha256', secret).update(`web-call.v1.${voiceCallId}.${userId}.${exp}`).digest('base64url');

/**
 * `v1.<voice_calls id>.<expiry, unix seconds>.<mac>`.
 * @example signWebCallToken('secret…', { voiceCallId, userId, expiresAt: new Date(Date.now() + 600_000) })
 */
export function signWebCallToken(secret: string, t: { voiceCallId: string; userId: string; expiresAt: Date }): string {
  const exp = Math.floor(t.expiresAt.getTime() / 1000);
  return `v1.${t.voiceCallId}.${exp}.${mac(secret, t.voiceCallId, t.userId, exp)}`;
}

/** The call id a token names (before verification, to load the row), or null when it is not a token. */
export function webCallTokenCallId(token: unknown): string | null {
  const m = typeof token === 'string' ? /^v1\.([0-9a-f-]{36})\.(\d{1,12})\.([\w-]{43})$/i.exec(token) : null;
  return m ? m[1]!.toLowerCase() : null;
}

/** True when the token was signed for this call and user and had not expired at `at` (when the call began). */
export function verifyWebCallToken(secret: string, token: string, call: { id: string; userId: string }, at: Date) {
  const m = /^v1\.([0-9a-f-]{36})\.(\d{1,12})\.([\w-]{43})$/i.exec(token);
  if (!m || m[1]!.toLowerCase() !== call.id) return false;
  const exp = Number(m[2]);
  if (at.getTime() > exp * 1000) return false;
  const expected = Buffer.from(mac(secret, call.id, call.userId, exp));
  const presented = Buffer.from(m[3]!);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
