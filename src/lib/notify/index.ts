// The senders this process has configuration for; a channel without configuration is missing, and an
// attempt on it fails over to the next method (it is never silently skipped: the attempt is logged).
import type { Config } from '../../config.ts';
import { smtpSender } from './smtp.ts';
import { twilioSender } from './twilio.ts';
import type { MessageSender } from './types.ts';

export type TextChannel = 'sms' | 'email';
export type Senders = Partial<Record<TextChannel, MessageSender>>;

const cache = new WeakMap<Config, Senders>();

export function sendersFor(config: Config): Senders {
  let senders = cache.get(config);
  if (!senders) {
    const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_FROM_NUMBER: from } = config;
    senders = {
      ...(sid && token && from
        ? { sms: twilioSender({ baseUrl: config.TWILIO_BASE_URL, accountSid: sid, authToken: token, from }) }
        : {}),
      ...(config.SMTP_URL
        ? { email: smtpSender({ url: config.SMTP_URL, from: config.SMTP_FROM, timeoutMs: config.SMTP_TIMEOUT_MS }) }
        : {}),
    };
    cache.set(config, senders);
  }
  return senders;
}
