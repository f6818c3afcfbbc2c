// Bad input, property-based, over every route the OpenAPI document declares (so new routes are covered
// the day they land): random JSON, wrong types, huge and odd strings, deep nesting, invalid ids. Every
// answer is < 500; every error has the documented shape; a rejected request leaves no row behind.
// Each route is called with every credential its `security` names, made valid by the test (bearer tokens,
// webhook secrets, HMAC and Twilio signatures computed over the very request, acknowledge-link tokens), so
// the input reaches the handler: with credentials, a 401 or 403 fails the test. The document must list
// every route the app serves, so nothing escapes by being undocumented.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_KEY } from '../support/constants.ts';
import { userToken } from '../support/tokens.ts';
import { makeUser } from '../entities/fixtures.ts';
import { userLinks } from '../../src/db/user-owned.ts';
import { operations, servedRoutes, type Operation } from '../support/openapi.ts';
import { twilioSignature } from '../../src/lib/notify/twilio.ts';
import { ackToken } from '../../src/safety/ack-link.ts';

const SECRETS = {
  SUPABASE_WEBHOOK_SECRET: 'fuzz-supabase-webhook-secret-0123456789',
  VAPI_WEBHOOK_SECRET: 'fuzz-vapi-webhook-secret-0123',
  VAPI_WEBHOOK_HMAC_SECRET: 'fuzz-vapi-hmac-secret-0123456789',
  TWILIO_AUTH_TOKEN: 'fuzz-twilio-auth-token',
  PUBLIC_BASE_URL: 'https://hearth.example.test',
  SAFETY_LINK_SECRET: 'fuzz-safety-link-secret-0123456789abcdef',
};

let platform: TestPlatform;
let userId: string;
let bearer: Record<string, string>;
beforeAll(async () => {
  platform = await createTestPlatform(SECRETS);
  userId = (await makeUser(platform.orm.em.fork())).id;
  bearer = {
    userToken: `Bearer ${await userToken({ sub: userId })}`,
    serviceKey: `Bearer ${TEST_SERVICE_KEY}`,
    adminToken: `Bearer ${TEST_ADMIN_TOKEN}`,
    adminBasic: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`,
  };
});
afterAll(() => platform.close());

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    "' or 1=1; --",
    '<script>alert(1)</script>',
    '\u0000',
    '\uD800',
    '../../etc/passwd',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup string, sent literally on purpose
    '${jndi:x}',
    '%00',
    'null',
    'NaN',
    '1e309',
  ),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
);
const weirdJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    weirdString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(
    fc.oneof(
      weirdString,
      // Keys the webhook envelopes read, so some bodies get past their parsing too.
      fc.constantFrom('user_id', 'id', 'content', 'severity', '__proto__', 'constructor', 'message', 'type', 'record'),
    ),
    tie('value'),
    { maxKeys: 6 },
  ),
})).value;
const encodable = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false; // a lone surrogate cannot be a URL at all: no client can send it
  }
};
const pathParam = fc.oneof(
  fc.uuid(),
  weirdString.filter((s) => s.length > 0 && s.length < 200 && encodable(s)),
  fc.constant(randomUUID()),
);

const userRows = async () => {
  const em = platform.orm.em.fork();
  let total = 0;
  for (const link of userLinks(em.getMetadata())) {
    const [row] = await em.execute<{ n: number }[]>(
      `select count(*)::int as n from "${link.meta.tableName}" where "${link.column}" = ?`,
      [userId],
    );
    total += row?.n ?? 0;
  }
  return total;
};

/** A request as sent: its path and query, body and headers, with the credential of `scheme` made valid for it. */
function signedRequest(
  op: Operation,
  scheme: string | undefined,
  params: string[],
  query: Record<string, string>,
  body: unknown,
) {
  let i = 0;
  const firstParam = params[0] ?? 'x';
  const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++] ?? 'x'));
  // An acknowledge link's token is an HMAC of the incident id the path names (and of some contact).
  if (scheme === 'acknowledgeLink')
    query = { ...query, token: ackToken(SECRETS.SAFETY_LINK_SECRET, firstParam, randomUUID()) };
  const qs = new URLSearchParams(query).toString();
  const url = `${path}${qs ? `?${qs}` : ''}`;
  const form = op.bodyType === 'application/x-www-form-urlencoded';
  // A form carries flat name=value pairs: the JSON's top-level strings (a `name[]` would parse as an array).
  const formParams = Object.fromEntries(
    Object.entries(body && typeof body === 'object' && !Array.isArray(body) ? body : {})
      .filter((e): e is [string, string] => typeof e[1] === 'string' && encodable(e[0]) && encodable(e[1]))
      .filter(([k]) => !k.endsWith('[]')),
  );
  const raw = !op.hasBody ? undefined : form ? new URLSearchParams(formParams).toString() : JSON.stringify(body);
  const headers: Record<string, string> = op.hasBody ? { 'content-type': op.bodyType ?? 'application/json' } : {};
  if (scheme && bearer[scheme]) headers.authorization = bearer[scheme];
  if (scheme === 'supabaseWebhookSecret') headers['x-supabase-webhook-secret'] = SECRETS.SUPABASE_WEBHOOK_SECRET;
  if (scheme === 'vapiSecret') headers['x-vapi-secret'] = SECRETS.VAPI_WEBHOOK_SECRET;
  if (scheme === 'vapiSignature') {
    const timestamp = String(Math.floor(Date.now() / 1000));
    headers['x-timestamp'] = timestamp;
    headers['x-signature'] = createHmac('sha256', SECRETS.VAPI_WEBHOOK_HMAC_SECRET)
      .update(`${timestamp}.${raw ?? ''}`)
      .digest('hex');
  }
  if (scheme === 'twilioSignature') {
    const signedUrl = new URL(url, SECRETS.PUBLIC_BASE_URL).href;
    headers['x-twilio-signature'] = twilioSignature(SECRETS.TWILIO_AUTH_TOKEN, signedUrl, formParams);
  }
  return { url, init: { method: op.method, headers, ...(raw !== undefined ? { body: raw } : {}) } };
}

describe('every route', () => {
  it('the OpenAPI document lists every route the app serves, each with how it authenticates', async () => {
    const documented = new Set((await operations(platform.app)).map((o) => `${o.method} ${o.path}`));
    // Not API routes: the document and its viewer, and Bull Board's own API and assets behind the board's auth.
    const outside = (r: string) =>
      /^GET \/(openapi\.json|docs(\/.*)?)$/.test(r) || /^\w+ \/admin\/queues\/(?!api\/queues$)/.test(r);
    expect(servedRoutes(platform.app).filter((r) => !outside(r) && !documented.has(r))).toEqual([]);
    const open = (await operations(platform.app)).filter((o) => !o.schemes.length).map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual(['GET /healthz', 'GET /readyz', 'GET /v1/safety/incidents/{id}/acknowledge']);
  });
});

describe('every declared route under random bad input, past its authentication', () => {
  it('answers < 500 with the error shape, and a rejected request writes nothing', { timeout: 600_000 }, async () => {
    const ops = (await operations(platform.app)).filter((o) => o.method !== 'DELETE' || !o.path.startsWith('/v1/me')); // erasure is tested on its own
    expect(ops.length).toBeGreaterThan(40);
    const calls = ops.flatMap((op) => (op.schemes.length ? op.schemes : [undefined]).map((scheme) => ({ op, scheme })));
    for (const { op, scheme } of calls) {
      await fc.assert(
        fc.asyncProperty(
          weirdJson,
          fc.array(pathParam, { minLength: 3, maxLength: 3 }),
          fc.dictionary(weirdString.filter(encodable), weirdString.filter(encodable), { maxKeys: 4 }),
          async (body, params, query) => {
            const { url, init } = signedRequest(op, scheme, params, query, body);
            const before = await userRows();
            const res = await platform.app.request(url, init);
            const label = `${op.method} ${op.path} (${scheme ?? 'public'}) → ${res.status}`;
            expect(res.status, label).toBeLessThan(500);
            if (scheme) expect([401, 403], `${label}: a valid credential was refused`).not.toContain(res.status);
            if (res.status >= 400) {
              const json = await res.json();
              expect(json.error, label).toMatchObject({
                code: expect.any(String),
                message: expect.any(String),
                request_id: expect.any(String),
              });
              expect(await userRows(), `${label}: rows written by a rejected request`).toBe(before);
            } else await res.body?.cancel();
          },
        ),
        { numRuns: 15 },
      );
    }
  });
});
