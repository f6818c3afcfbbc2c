// Erasure tombstones, pure. An erased account leaves one thing behind: a keyed hash of its Supabase Auth id
// (no PII, and useless without ERASURE_TOMBSTONE_KEY to anyone holding a list of ids), which auth, self-sync,
// the webhook path and reconciliation check so the identity cannot be synced back. Audit rows of the account
// are grouped under a UUID derived from the same hash.
import { createHmac } from 'node:crypto';

/** The erased_identities key of an Auth id: HMAC-SHA256 under the tombstone key, hex. */
export const identityHash = (key: string, authId: string) =>
  createHmac('sha256', key).update(`erased-identity:${authId.toLowerCase()}`).digest('hex');

/**
 * The UUID an erased user's audit rows carry (`event_data.erased_user`), derived from the keyed hash, so an
 * auditor can group one account's events without being able to tell whose they were.
 * @example auditTombstone('k'.repeat(32), id) // 'xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx', the same for the same id
 */
export function auditTombstone(key: string, authId: string): string {
  const h = createHmac('sha256', key).update(`erased-user:${authId.toLowerCase()}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
