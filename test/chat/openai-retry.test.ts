// The OpenAI-compatible client against a real HTTP server that rate-limits and fails: 429 and 5xx are
// retried a bounded number of times, after Retry-After when the provider sends one; anything else, or a
// provider asking to wait too long, fails at once (the caller then falls back to the rules).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { openAiCompatible, ProviderError, retryAfterMs } from '../../src/chat/openai-compatible.ts';

/** Answers each request with the next scripted [status, headers]; 200 with a valid embedding after that. */
let script: [number, Record<string, string>][] = [];
const arrivals: number[] = [];
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    const [status, headers] = script.shift() ?? [200, {}];
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(status === 200 ? JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }) : '{"error":"x"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  arrivals.length = 0;
});

const client = (extra = {}) => openAiCompatible({ baseUrl, timeoutMs: 2_000, ...extra });

it('retries a 429 after the Retry-After the provider asked for, then succeeds', async () => {
  script = [[429, { 'retry-after': '1' }]];
  expect(await client().embeddings('m', ['x'])).toEqual([[1, 0]]);
  expect(arrivals).toHaveLength(2);
  expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
});

it('retries 5xx with backoff, at most `retries` times, then fails with the status only', async () => {
  script = [
    [503, {}],
    [502, {}],
    [500, {}],
  ];
  await expect(client().embeddings('m', ['x'])).rejects.toThrow(new ProviderError('/embeddings: HTTP 500'));
  expect(arrivals).toHaveLength(3);
  script = [];
});

it('gives up at once when Retry-After is longer than it may wait, and never retries a 4xx', async () => {
  script = [[429, { 'retry-after': '120' }]];
  await expect(client().embeddings('m', ['x'])).rejects.toThrow(/HTTP 429/);
  expect(arrivals).toHaveLength(1);
  script = [[400, {}]];
  await expect(client().embeddings('m', ['x'])).rejects.toThrow(/HTTP 400/);
  expect(arrivals).toHaveLength(2);
});

it('reads Retry-After as seconds or an HTTP date', () => {
  expect(retryAfterMs('2')).toBe(2_000);
  expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3_000);
  expect(retryAfterMs('soon')).toBeNull();
  expect(retryAfterMs(null)).toBeNull();
});
