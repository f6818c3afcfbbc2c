// A minimal client for an OpenAI-compatible API (POST {base}/chat/completions, POST {base}/embeddings).
// It only knows a base URL, a key and a timeout; responses are checked with zod, so a provider that
// answers something else fails here, with a clear error, before anything is stored.
import { z } from 'zod';

export interface OpenAiCompatibleOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
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
  async function post(path: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
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
