// Verifies the credential Vapi sends with a server message (external-apis.md A5): either a static
// secret header (a bearer credential with headerName X-Vapi-Secret and the prefix off; a "Bearer " prefix
// is accepted too) or Vapi's HMAC credential. Every comparison is constant-time.
import { createHmac } from 'node:crypto';
import type { Config } from '../config.ts';
import { secretMatches } from './auth.ts';

export type VapiWebhookAuthConfig = Pick<
  Config,
  | 'VAPI_WEBHOOK_SECRET'
  | 'VAPI_WEBHOOK_SECRET_HEADER'
  | 'VAPI_WEBHOOK_HMAC_SECRET'
  | 'VAPI_WEBHOOK_HMAC_ALGORITHM'
  | 'VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER'
  | 'VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER'
  | 'VAPI_WEBHOOK_HMAC_TOLERANCE_SECONDS'
>;

type HeaderGetter = (name: string) => string | undefined;

/** True when the delivery carries a valid static secret or a valid, fresh HMAC signature of `rawBody`. */
export function vapiCredentialValid(
  config: VapiWebhookAuthConfig,
  header: HeaderGetter,
  rawBody: string,
  now: Date,
): boolean {
  return staticSecretValid(config, header) || hmacValid(config, header, rawBody, now);
}

/**
 * What can be decided from the headers alone, before the body is read: `valid` (the static secret),
 * `needs_body` (an HMAC signature, fresh, with HMAC configured: only the body can tell), or `invalid`.
 */
export function vapiHeaderCheck(
  config: VapiWebhookAuthConfig,
  header: HeaderGetter,
  now: Date,
): 'valid' | 'needs_body' | 'invalid' {
  if (staticSecretValid(config, header)) return 'valid';
  if (!config.VAPI_WEBHOOK_HMAC_SECRET || !header(config.VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER)) return 'invalid';
  const timestamp = header(config.VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER);
  return timestamp === undefined || fresh(config, timestamp, now) ? 'needs_body' : 'invalid';
}

/** The HMAC of the body read after vapiHeaderCheck answered `needs_body`. */
export const vapiSignatureValid = hmacValid;

function fresh(config: VapiWebhookAuthConfig, timestamp: string, now: Date): boolean {
  const value = Number(timestamp);
  if (!Number.isFinite(value)) return false;
  const ms = value > 1e12 ? value : value * 1000;
  return Math.abs(now.getTime() - ms) <= config.VAPI_WEBHOOK_HMAC_TOLERANCE_SECONDS * 1000;
}

function staticSecretValid(config: VapiWebhookAuthConfig, header: HeaderGetter): boolean {
  const presented = header(config.VAPI_WEBHOOK_SECRET_HEADER)?.replace(/^Bearer\s+/i, '');
  return Boolean(config.VAPI_WEBHOOK_SECRET && presented && secretMatches(presented, [config.VAPI_WEBHOOK_SECRET]));
}

/**
 * Vapi's default payloadFormat `{timestamp}.{body}` (just `{body}` when includeTimestamp is off and no
 * timestamp header comes). The encoding may be hex or base64 and the signature may carry a prefix such as
 * `sha256=`: both encodings are computed and compared. The timestamp may be seconds or milliseconds
 * (the unit is undocumented); outside the tolerance window the delivery is refused as a replay.
 */
function hmacValid(config: VapiWebhookAuthConfig, header: HeaderGetter, rawBody: string, now: Date): boolean {
  const secret = config.VAPI_WEBHOOK_HMAC_SECRET;
  const signature = header(config.VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER)?.replace(/^[a-z0-9]+=/i, '');
  if (!secret || !signature) return false;
  const timestamp = header(config.VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER);
  if (timestamp !== undefined && !fresh(config, timestamp, now)) return false;
  const signed = timestamp === undefined ? rawBody : `${timestamp}.${rawBody}`;
  const mac = () => createHmac(config.VAPI_WEBHOOK_HMAC_ALGORITHM, secret).update(signed);
  return secretMatches(signature, [mac().digest('hex'), mac().digest('base64')]);
}
