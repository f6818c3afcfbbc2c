// A minimal client for an OpenAI-compatible API (POST {base}/chat/completions, POST {base}/embeddings).
// It only knows a base URL, a key and a timeout; responses are checked with zod, so a provider that
// answers something else fails here, with a clear error, before anything is stored.
import { z } from 'zod';

export interface OpenAiCompatibleOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first on 429 and 5xx answers (default 2). */
  retries?: number;
  /** Longest wait before a retry, Retry-After included; a provider asking for more is given up on at once. */
  maxRetryDelayMs?: number;
}

/** Worth another try: rate limited, or the provider's own trouble. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const BASE_DELAY_MS = 250;

/** Retry-After in ms (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export class ProviderError extends Error {
  override name = 'ProviderError';
}

const ChatResponse = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});
const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

export function openAiCompatible(opts: OpenAiCompatibleOptions) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const retries = opts.retries ?? 2;
  const maxDelay = opts.maxRetryDelayMs ?? 5_000;

  /**
   * POSTs, retrying a 429 or 5xx answer up to `retries` times: after Retry-After when the provider sends
   * one, else an exponential backoff with jitter, each wait at most `maxRetryDelayMs`. Then the caller's
   * fallback (the rules) takes over; a job never sleeps on a provider for long.
   */
  async function post(path: string, body: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const res = await send(path, body);
      if (res.ok || !RETRYABLE.has(res.status) || attempt >= retries) return read(path, res);
      const asked = retryAfterMs(res.headers.get('retry-after'));
      const delay = asked ?? BASE_DELAY_MS * 2 ** attempt * (0.5 + Math.random() / 2);
      if (delay > maxDelay) return read(path, res);
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  async function send(path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      throw new ProviderError(
        `${path}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message}`,
      );
    }
  }

  async function read(path: string, res: Response): Promise<unknown> {
    // The body of an error answer may echo our input (user text): keep only the status.
    if (!res.ok) throw new ProviderError(`${path}: HTTP ${res.status}`);
    try {
      return await res.json();
    } catch {
      throw new ProviderError(`${path}: response is not JSON`);
    }
  }

  return {
    /** One completion in JSON mode; returns the parsed JSON of the message content. */
    async chatJson(model: string, system: string, user: string): Promise<unknown> {
      const raw = await post('/chat/completions', {
        model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
      });
      const parsed = ChatResponse.safeParse(raw);
      if (!parsed.success) throw new ProviderError('/chat/completions: unexpected response shape');
      try {
        return JSON.parse(parsed.data.choices[0]!.message.content ?? '');
      } catch {
        throw new ProviderError('/chat/completions: message content is not JSON');
      }
    },
    async embeddings(model: string, input: readonly string[]): Promise<number[][]> {
      const parsed = EmbeddingsResponse.safeParse(await post('/embeddings', { model, input }));
      if (!parsed.success || parsed.data.data.length !== input.length)
        throw new ProviderError('/embeddings: unexpected response shape');
      return [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    },
  };
}
