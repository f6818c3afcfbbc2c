// SMS through Twilio's Messages API (docs: /work/shared/reference/external-apis.md part C).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderError, type MessageSender, type OutboundMessage, type SendResult } from './types.ts';

export interface TwilioConfig {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  timeoutMs?: number;
}

export function twilioSender(cfg: TwilioConfig): MessageSender {
  const url = new URL(`/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`, cfg.baseUrl);
  const auth = `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`;
  return {
    async send(message: OutboundMessage): Promise<SendResult> {
      const form = new URLSearchParams({ To: message.to, From: cfg.from, Body: message.text });
      if (message.statusCallbackUrl) form.set('StatusCallback', message.statusCallbackUrl);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new ProviderError(`twilio unreachable: ${(err as Error).name}`);
      }
      const body = (await res.json().catch(() => ({}))) as {
        sid?: string;
        status?: string;
        code?: number;
        error_code?: number;
      };
      // A 4xx (other than 429) is Twilio refusing this message (e.g. 21211 invalid To): retrying cannot help.
      const refused = res.status >= 400 && res.status < 500 && res.status !== 429;
      if (!res.ok || !body.sid)
        throw new ProviderError(`twilio ${res.status} code ${body.code ?? body.error_code ?? 'none'}`, refused);
      if (body.status === 'failed' || body.status === 'undelivered')
        throw new ProviderError(`twilio message ${body.status} code ${body.error_code ?? 'none'}`, true);
      return { providerId: body.sid, status: body.status ?? 'queued' };
    },
  };
}

/** X-Twilio-Signature: base64 HMAC-SHA1 (auth token) of the full URL followed by each POST param, sorted, name+value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha1', authToken).update(data).digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: Record<string, string>,
): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const presented = Buffer.from(signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
