// Who is calling, by address: the socket's peer, or, behind TRUST_PROXY_HOPS proxies that append to
// X-Forwarded-For, the address the outermost of them saw. Without a configured proxy count the header is
// ignored: anyone can send one, and a forged address would dodge the per-IP limits and poison audit rows.
import { isIP } from 'node:net';
import type { Context } from 'hono';

/** The socket's peer (null under app.request() in tests, which has no socket). */
export function peerAddress(c: Context): string | null {
  const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress;
  return peer && isIP(peer) ? peer : null;
}

/**
 * With `hops` trusted proxies, the last `hops` entries of X-Forwarded-For were written by them: the client is
 * the entry `hops` from the end (the one the outermost proxy appended). A shorter header falls back to its
 * first entry; an entry that is not an address, to the peer.
 * @example clientAddress('203.0.113.9, 10.0.0.2', '10.0.0.3', 1) // '10.0.0.2'
 */
export function clientAddress(forwardedFor: string | undefined, peer: string | null, hops: number): string | null {
  if (hops <= 0 || !forwardedFor) return peer;
  const entries = forwardedFor
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const candidate = entries[Math.max(0, entries.length - hops)];
  return candidate && isIP(candidate) ? candidate : peer;
}

export const clientIp = (c: Context, hops: number) =>
  clientAddress(c.req.header('x-forwarded-for'), peerAddress(c), hops);
