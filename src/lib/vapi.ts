// A small client for the parts of Vapi's REST API we use (external-apis.md A1–A3): create, get and list
// calls. Every request has a timeout; failures are classified so callers know whether retrying can help.
import type { Config } from '../config.ts';

/** The fields of Vapi's `Call` object we read (it has many more; unknown ones are ignored). */
export interface VapiCall {
  id: string;
  /** inboundPhoneCall | outboundPhoneCall | webCall | vapi.websocketCall */
  type?: string;
  assistantId?: string;
  status?: string;
  endedReason?: string;
  startedAt?: string;
  endedAt?: string;
  cost?: number;
  costBreakdown?: Record<string, unknown>;
  analysis?: { summary?: unknown; structuredData?: unknown; successEvaluation?: unknown };
  customer?: { externalId?: string; number?: string };
  assistantOverrides?: { metadata?: Record<string, unknown> };
  createdAt?: string;
}

export interface CreateCallRequest {
  assistantId: string;
  customerNumber: string;
  /** Our voice_calls id: sent as customer.externalId and assistantOverrides.metadata.voice_call_id. */
  voiceCallId: string;
  /** Recorded on our row before the request, echoed in the metadata, so a retry can find this attempt. */
  attemptKey: string;
}

/** Vapi refused the request for good (4xx other than 429): retrying the same request cannot help. */
export class VapiPermanentError extends Error {
  override name = 'VapiPermanentError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** 429, 5xx, a timeout or a network failure: the same request may succeed later. */
export class VapiRetryableError extends Error {
  override name = 'VapiRetryableError';
  readonly status: number | null;
  constructor(status: number | null, message: string) {
    super(message);
    this.status = status;
  }
}

/** Vapi error bodies can echo the request (e.g. the customer's number): keep the gist, drop digits runs. */
const scrub = (text: string) => text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]').slice(0, 300);

export type VapiConfig = Pick<Config, 'VAPI_BASE_URL' | 'VAPI_API_KEY' | 'VAPI_PHONE_NUMBER_ID' | 'VAPI_TIMEOUT_MS'>;

export class VapiClient {
  readonly #config: VapiConfig;
  constructor(config: VapiConfig) {
    this.#config = config;
  }

  /** POST /call (201 with a Call). The correlation fields are the ones Vapi really has: no top-level metadata. */
  async createCall(req: CreateCallRequest): Promise<VapiCall> {
    if (!this.#config.VAPI_PHONE_NUMBER_ID) throw new VapiPermanentError(0, 'VAPI_PHONE_NUMBER_ID is not configured');
    return this.#request<VapiCall>('POST', '/call', {
      assistantId: req.assistantId,
      phoneNumberId: this.#config.VAPI_PHONE_NUMBER_ID,
      customer: { number: req.customerNumber, externalId: req.voiceCallId },
      assistantOverrides: { metadata: { voice_call_id: req.voiceCallId, attempt_key: req.attemptKey } },
    });
  }

  /** GET /call/{id}. */
  getCall(id: string): Promise<VapiCall> {
    return this.#request<VapiCall>('GET', `/call/${encodeURIComponent(id)}`);
  }

  /** GET /call: a plain array, filtered by assistant and creation time (no cursor; `limit` ≤ 1000). */
  listCalls(filter: { assistantId: string; createdAtGe: Date; limit?: number }): Promise<VapiCall[]> {
    const query = new URLSearchParams({
      assistantId: filter.assistantId,
      createdAtGe: filter.createdAtGe.toISOString(),
      limit: String(filter.limit ?? 1000),
    });
    return this.#request<VapiCall[]>('GET', `/call?${query}`);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.#config.VAPI_API_KEY) throw new VapiPermanentError(0, 'VAPI_API_KEY is not configured');
    const what = `vapi ${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#config.VAPI_BASE_URL), {
        method,
        headers: {
          authorization: `Bearer ${this.#config.VAPI_API_KEY}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#config.VAPI_TIMEOUT_MS),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new VapiRetryableError(
        null,
        `${what}: ${timedOut ? `no answer within ${this.#config.VAPI_TIMEOUT_MS} ms` : 'network error'}`,
      );
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new VapiRetryableError(res.status, `${what}: unreadable response body`);
      }
    }
    const message = `${what}: ${res.status} ${scrub(errorText(text))}`;
    if (res.status === 429 || res.status >= 500) throw new VapiRetryableError(res.status, message);
    throw new VapiPermanentError(res.status, message);
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    const message = Array.isArray(parsed.message) ? parsed.message.join('; ') : parsed.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return body;
  }
}
