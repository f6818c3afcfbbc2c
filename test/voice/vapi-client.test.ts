// The Vapi client against the fake Vapi: request shapes and how failures are classified.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { VapiClient, VapiPermanentError, VapiRetryableError } from '../../src/lib/vapi.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../support/fake-vapi.ts';

let vapi: FakeVapi;
beforeAll(async () => {
  vapi = await new FakeVapi().start();
});
afterAll(() => vapi.stop());

const client = (env: Record<string, string> = {}) =>
  new VapiClient(
    loadConfig({
      NODE_ENV: 'test',
      VAPI_BASE_URL: vapi.url,
      VAPI_API_KEY: FAKE_VAPI_KEY,
      VAPI_PHONE_NUMBER_ID: 'pn_1',
      VAPI_TIMEOUT_MS: '300',
      ...env,
    }),
  );
const request = {
  assistantId: 'asst_client',
  customerNumber: '+15555550100',
  voiceCallId: crypto.randomUUID(),
  attemptKey: 'k#1',
};

describe('VapiClient', () => {
  it('creates, gets and lists calls', async () => {
    const created = await client().createCall(request);
    expect((await client().getCall(created.id)).id).toBe(created.id);
    const listed = await client().listCalls({ assistantId: 'asst_client', createdAtGe: new Date(Date.now() - 60_000) });
    expect(listed.map((c) => c.id)).toContain(created.id);
    expect(
      await client().listCalls({ assistantId: 'asst_client', createdAtGe: new Date(Date.now() + 60_000) }),
    ).toEqual([]);
  });

  it('classifies 429 and 5xx as retryable, other 4xx as permanent, with digit runs scrubbed', async () => {
    vapi.plans.push(
      { status: 429, message: 'Too Many Requests' },
      { status: 503 },
      { status: 422, message: 'number +1 555 555 0100 invalid' },
    );
    await expect(client().createCall(request)).rejects.toBeInstanceOf(VapiRetryableError);
    await expect(client().createCall(request)).rejects.toMatchObject({ name: 'VapiRetryableError', status: 503 });
    const err = await client()
      .createCall(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VapiPermanentError);
    expect((err as Error).message).toBe('vapi POST /call: 422 number [number] invalid');
    await expect(client({ VAPI_API_KEY: 'wrong' }).getCall('x')).rejects.toMatchObject({
      name: 'VapiPermanentError',
      status: 401,
    });
  });

  it('a timeout or an unreachable Vapi is retryable', async () => {
    vapi.plans.push({ createThenDelayMs: 1_000 });
    await expect(client().createCall(request)).rejects.toThrow(/no answer within 300 ms/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((r) => closed.close(r));
    await expect(client({ VAPI_BASE_URL: url }).getCall('x')).rejects.toMatchObject({
      name: 'VapiRetryableError',
      status: null,
    });
  });

  it('refuses to call without a key or phone number id', async () => {
    await expect(client({ VAPI_API_KEY: '' }).getCall('x')).rejects.toThrow(/VAPI_API_KEY is not configured/);
    await expect(client({ VAPI_PHONE_NUMBER_ID: '' }).createCall(request)).rejects.toBeInstanceOf(VapiPermanentError);
  });
});
