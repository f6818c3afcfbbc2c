// Signed acknowledge links for external contacts: the token names the contact and is an HMAC of
// (incident, contact) under SAFETY_LINK_SECRET, so it acknowledges that one incident and nothing else.
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, incidentId: string, contactId: string) =>
  createHmac('sha256', secret).update(`ack:${incidentId}:${contactId}`).digest('base64url');

export const ackToken = (secret: string, incidentId: string, contactId: string) =>
  `${contactId}.${sign(secret, incidentId, contactId)}`;

/** The safety contact id the token was issued to, or null if it is not a valid token for this incident. */
export function contactFromAckToken(secret: string, incidentId: string, token: string): string | null {
  const m = /^([0-9a-f-]{36})\.([\w-]{43})$/i.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(secret, incidentId, m[1]!.toLowerCase()));
  const presented = Buffer.from(m[2]!);
  return expected.length === presented.length && timingSafeEqual(expected, presented) ? m[1]!.toLowerCase() : null;
}

export const ackLink = (baseUrl: string, secret: string, incidentId: string, contactId: string) =>
  new URL(`/v1/safety/incidents/${incidentId}/acknowledge?token=${ackToken(secret, incidentId, contactId)}`, baseUrl)
    .href;
