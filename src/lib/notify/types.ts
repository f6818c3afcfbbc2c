// One interface for every provider that carries a text to a person (SMS, email). Voice and in-app
// outreach are database writes (a queued call, a system event) and live in src/safety/deliver.ts.

export interface OutboundMessage {
  /** E.164 number or email address; never logged. */
  to: string;
  subject: string;
  text: string;
  /** Stable per attempt: becomes the email Message-ID (SMTP and Twilio have no create-idempotency key). */
  key: string;
  /** Where the provider reports delivery (Twilio StatusCallback). */
  statusCallbackUrl?: string;
}

export interface SendResult {
  /** The provider's id of the message (Twilio SM…, the email Message-ID). */
  providerId: string;
  status: string;
}

export interface MessageSender {
  send(message: OutboundMessage): Promise<SendResult>;
}

/**
 * A provider refused or failed the send. The message carries codes only, never the address or text.
 * `permanent`: the same send cannot succeed later (an invalid number, a rejected recipient), so it is not retried.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly permanent: boolean;
  constructor(message: string, permanent = false) {
    super(message);
    this.permanent = permanent;
  }
}
