// Email over SMTP (nodemailer). The Message-ID is the attempt's key, so a receiving system that
// de-duplicates by Message-ID drops a resend; SMTP itself has no idempotency.
import nodemailer from 'nodemailer';
import { ProviderError, type MessageSender, type OutboundMessage, type SendResult } from './types.ts';

export function smtpSender(cfg: { url: string; from: string; timeoutMs?: number }): MessageSender {
  // nodemailer waits 2 min to connect, 30 s for the greeting and 10 min on an idle socket unless told.
  const timeout = cfg.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: cfg.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(message: OutboundMessage): Promise<SendResult> {
      const messageId = `<${message.key}@hearth>`;
      try {
        await transport.sendMail({
          from: cfg.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId,
        });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number };
        // 5xx replies are permanent in SMTP (RFC 5321 4.2.1), as is an envelope nodemailer cannot build.
        const permanent = (e.responseCode ?? 0) >= 500 || e.code === 'EENVELOPE';
        throw new ProviderError(`smtp ${e.responseCode ?? ''} ${e.code ?? 'error'}`.replace(/\s+/g, ' '), permanent);
      }
      return { providerId: messageId, status: 'accepted' };
    },
  };
}
