import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { MAX_BODY_BYTES } from '../../src/api/app.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const postAudit = (body: string, headers: Record<string, string> = {}) =>
  platform.app.request('/v1/audit-events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}`, ...headers },
    body,
  });

describe('health', () => {
  it('/healthz answers 200', async () => {
    const res = await platform.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when PostgreSQL and Redis answer', async () => {
    const res = await platform.app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' } });
  });
});

describe('errors are JSON in one shape', () => {
  it('unknown routes are 404', async () => {
    const res = await platform.app.request('/nope');
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a validation failure is 400 and names each bad field', async () => {
    const res = await postAudit(JSON.stringify({ event_type: '', event_category: 'nonsense', severity: 'loud' }));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect([...new Set(error.details.map((d: { field: string }) => d.field))].sort()).toEqual([
      'event_category',
      'event_type',
      'severity',
    ]);
    expect(JSON.stringify(error)).not.toMatch(/at .*\.ts/); // no stack trace
  });

  it('malformed JSON is a 400, not a 500', async () => {
    const res = await postAudit('{"event_type": ');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('BAD_REQUEST');
  });

  it('an unknown user_id is a 400 naming the field', async () => {
    const res = await postAudit(
      JSON.stringify({ user_id: crypto.randomUUID(), event_type: 'x', event_category: 'system', severity: 'info' }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.details).toEqual([{ field: 'user_id', message: 'no such user' }]);
  });

  it('audit data that could carry content is refused', async () => {
    const res = await postAudit(
      JSON.stringify({
        event_type: 'x',
        event_category: 'system',
        severity: 'info',
        event_data: { text: 'x'.repeat(300) },
      }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].field).toBe('event_data.text');
  });

  it('text PostgreSQL cannot store as sent (a NUL, a lone surrogate) is a 400 naming each field that holds it', async () => {
    const body = JSON.stringify({
      event_type: 'x',
      event_category: 'system',
      severity: 'info',
      event_data: { note: 'a\u0000b', 'k\u0000': 1 },
    });
    const res = await postAudit(body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.map((d: { field: string }) => d.field)).toEqual([
      'event_data.note',
      'event_data.k\\u0000',
    ]);
    const query = await platform.app.request('/v1/memories?query=a%00b', { headers: { authorization: 'Bearer x' } });
    expect(query.status).toBe(400);
    expect((await query.json()).error.details[0].field).toBe('query');
    // A lone surrogate is not Unicode: refused too, where a text column would silently store U+FFFD.
    const lone = await postAudit(
      JSON.stringify({
        event_type: 'x',
        event_category: 'system',
        severity: 'info',
        event_data: { note: 'a\uD800b', ok: '\uD83D\uDE00' },
      }),
    );
    expect(lone.status).toBe(400);
    expect((await lone.json()).error.details.map((d: { field: string }) => d.field)).toEqual(['event_data.note']);
    // The escape spelled out as text (a backslash, then u0000) is ordinary text.
    expect(
      (
        await postAudit(
          JSON.stringify({
            event_type: 'x',
            event_category: 'system',
            severity: 'info',
            event_data: { note: 'a\\u0000b' },
          }),
        )
      ).status,
    ).toBe(202);
  });

  it('a body over the limit is 413', async () => {
    const res = await postAudit(JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('echoes a caller request id', async () => {
    const res = await platform.app.request('/nope', { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect((await res.json()).error.request_id).toBe('req-123');
  });
});

describe('OpenAPI', () => {
  it('serves the document with the routes and their schemas', async () => {
    const doc = await (await platform.app.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/v1/audit-events', '/v1/me']),
    );
    expect(doc.components.schemas.AuditEvent.required).toEqual(expect.arrayContaining(['event_type', 'severity']));
  });

  it('serves a docs page', async () => {
    const res = await platform.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});
