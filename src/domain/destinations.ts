// Where Hearth may send a reminder or place a call: only to a destination the user has proven is theirs
// (Auth verified it, or they confirmed a one-time code sent to it). Pure: codes, hashes, normalisation.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { DestinationChannel } from './enums.ts';

/** A confirmation code is valid this long. */
export const CODE_TTL_MINUTES = 10;
/** Wrong codes allowed against one code; then it is void and a new one must be requested. */
export const MAX_CODE_ATTEMPTS = 5;

/** A 6-digit code, uniformly random. */
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** The stored form of a code: bound to its destination row, so a hash is useless for any other row. */
export const codeHash = (destinationId: string, code: string) =>
  createHash('sha256').update(`${destinationId}:${code}`).digest('hex');

/** Constant-time check of a presented code against the stored hash. */
export function codeMatches(destinationId: string, code: string, storedHash: string): boolean {
  const presented = Buffer.from(codeHash(destinationId, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Email addresses compare case-insensitively; phone numbers are E.164 already. */
export const sameAddress = (channel: DestinationChannel, a: string, b: string) =>
  channel === 'email' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a === b;

export const normaliseAddress = (channel: DestinationChannel, address: string) =>
  channel === 'email' ? address.trim().toLowerCase() : address.trim();

export type CodeCheck = 'confirmed' | 'wrong' | 'expired' | 'exhausted' | 'none';

/**
 * What a presented code does to a pending destination.
 * @example checkCode({ id, codeHash: codeHash(id, '123456'), codeExpiresAt: later, failedAttempts: 0 }, '123456', now) // 'confirmed'
 */
export function checkCode(
  d: { id: string; codeHash?: string | null; codeExpiresAt?: Date | null; failedAttempts: number },
  code: string,
  now: Date,
): CodeCheck {
  if (!d.codeHash || !d.codeExpiresAt) return 'none';
  if (d.failedAttempts >= MAX_CODE_ATTEMPTS) return 'exhausted';
  if (d.codeExpiresAt <= now) return 'expired';
  return codeMatches(d.id, code, d.codeHash) ? 'confirmed' : 'wrong';
}
