// The distinct webhook events of the `webhooks` scenario, each with how to deliver it once, signed as the
// route verifies it: Supabase auth.users changes (shared secret header), Vapi server messages (static
// secret or HMAC over `{timestamp}.{body}`) and Twilio status callbacks (X-Twilio-Signature).
import { createHash, createHmac } from 'node:crypto';
import { twilioSignature } from '../../src/lib/notify/twilio.ts';
import { authUsersWebhook, type FakeAuthUser, type FakeSupabaseAuth } from '../../test/support/fake-supabase-auth.ts';
import { callMessages, type CallScript, type FakeVapi } from '../../test/support/fake-vapi.ts';
import type { TwilioRequest } from '../../test/support/fake-twilio.ts';

export const SUPABASE_WEBHOOK_SECRET = 'chaos-supabase-webhook-secret-0123456789';
export const VAPI_WEBHOOK_SECRET = 'chaos-vapi-webhook-secret';
export const VAPI_HMAC_SECRET = 'chaos-vapi-hmac-secret-0123';
export const TWILIO_TOKEN = 'chaos-twilio-auth-token';
export const PUBLIC_BASE_URL = 'https://hearth.chaos.test';

export type Source = 'supabase' | 'vapi' | 'twilio';

export interface WebhookEvent {
  source: Source;
  /** What the invariants look the event up by: the body's sha256 (Supabase, Vapi) or `log:status` (Twilio). */
  key: string;
  /** One delivery: path, headers and body; `n` numbers the deliveries of this event. */
  request(n: number): { path: string; headers: Record<string, string>; body: string };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Auth changes as they happened: an INSERT per user, one or two UPDATEs, for every sixth a DELETE. The
 * fake holds the final state except the deletions: `deleted` are removed from it once their INSERT synced.
 */
export function supabaseEvents(auth: FakeSupabaseAuth, users: number) {
  const events: WebhookEvent[] = [];
  const ids: string[] = [];
  const deleted = new Map<string, WebhookEvent>(); // user id → its INSERT
  const event = (body: unknown): WebhookEvent => {
    const raw = JSON.stringify(body);
    return {
      source: 'supabase',
      key: sha256(raw),
      request: () => ({
        path: '/webhooks/supabase/auth-users',
        headers: { 'content-type': 'application/json', 'x-supabase-webhook-secret': SUPABASE_WEBHOOK_SECRET },
        body: raw,
      }),
    };
  };
  for (let i = 0; i < users; i++) {
    let u: FakeAuthUser = auth.add();
    ids.push(u.id);
    const insert = event(authUsersWebhook('INSERT', u));
    events.push(insert);
    for (let v = 2; v <= 2 + (i % 3 === 0 ? 1 : 0); v++) {
      const old = u;
      u = auth.update(u.id, {
        email: `chaos-${u.id.slice(0, 8)}-v${v}@example.test`,
        user_metadata: { ...u.user_metadata, full_name: `Robin v${v}` },
      });
      events.push(event(authUsersWebhook('UPDATE', u, old)));
    }
    if (i % 6 === 5) {
      events.push(event(authUsersWebhook('DELETE', u)));
      deleted.set(u.id, insert);
    }
  }
  return { events, ids, deleted };
}

/** A call's server messages as Vapi sends them; the fake's copy is finished so GET /call/{id} agrees. */
export function vapiEvents(vapi: FakeVapi, vapiCallId: string, script: CallScript): WebhookEvent[] {
  const call = vapi.calls.get(vapiCallId)!;
  const m = callMessages(call, script);
  vapi.finish(call.id, m, script.endedReason);
  const answered = !script.endedReason || script.endedReason === 'customer-ended-call';
  return (answered ? [m.ringing, m.inProgress, m.endedStatus, m.report] : [m.ringing, m.endedStatus, m.report]).map(
    (body) => {
      const raw = JSON.stringify(body);
      return {
        source: 'vapi',
        key: sha256(raw),
        // Both credentials Vapi can send, alternating; the HMAC one with a fresh timestamp each delivery.
        request: (n) => {
          const ts = String(Date.now());
          const credential: Record<string, string> =
            n % 2
              ? {
                  'x-timestamp': ts,
                  'x-signature': createHmac('sha256', VAPI_HMAC_SECRET).update(`${ts}.${raw}`).digest('hex'),
                }
              : { 'x-vapi-secret': VAPI_WEBHOOK_SECRET };
          return { path: '/webhooks/vapi', headers: { 'content-type': 'application/json', ...credential }, body: raw };
        },
      };
    },
  );
}

/** Twilio's status callbacks of one sent SMS: `sent`, then `delivered` or `undelivered` (30003). */
export function twilioEvents(sms: TwilioRequest, providerId: string, delivered: boolean): WebhookEvent[] {
  const callback = sms.form.StatusCallback!;
  const url = new URL(callback);
  const statuses = delivered ? ['sent', 'delivered'] : ['sent', 'undelivered'];
  return statuses.map((status) => {
    const params: Record<string, string> = {
      AccountSid: 'AC00000000000000000000000000000000',
      ApiVersion: '2010-04-01',
      From: sms.form.From!,
      To: sms.form.To!,
      MessageSid: providerId,
      SmsSid: providerId,
      MessageStatus: status,
      SmsStatus: status,
      ...(status === 'undelivered' ? { ErrorCode: '30003' } : {}),
    };
    const body = new URLSearchParams(params).toString();
    return {
      source: 'twilio',
      key: `${url.searchParams.get('log')}:${status}`,
      request: () => ({
        path: url.pathname + url.search,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TWILIO_TOKEN, callback, params),
        },
        body,
      }),
    };
  });
}

/** A small seeded PRNG (mulberry32): a failing order can be replayed with CHAOS_SEED. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
