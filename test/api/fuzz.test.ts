// Bad input, property-based, over every route the OpenAPI document declares (so new routes are covered
// the day they land): random JSON, wrong types, huge and odd strings, deep nesting, invalid ids. Every
// answer is < 500; every error has the documented shape; a rejected request leaves no row behind.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_KEY } from '../support/constants.ts';
import { userToken } from '../support/tokens.ts';
import { makeUser } from '../entities/fixtures.ts';
import { userLinks } from '../../src/db/user-owned.ts';
import { operations } from '../support/openapi.ts';

let platform: TestPlatform;
let userId: string;
let bearer: Record<string, string>;
beforeAll(async () => {
  platform = await createTestPlatform();
  userId = (await makeUser(platform.orm.em.fork())).id;
  bearer = {
    userToken: `Bearer ${await userToken({ sub: userId })}`,
    serviceKey: `Bearer ${TEST_SERVICE_KEY}`,
    adminToken: `Bearer ${TEST_ADMIN_TOKEN}`,
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
    fc.oneof(weirdString, fc.constantFrom('user_id', 'id', 'content', 'severity', '__proto__', 'constructor')),
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

describe('every declared route under random bad input', () => {
  it('answers < 500 with the error shape, and a rejected request writes nothing', { timeout: 300_000 }, async () => {
    const ops = (await operations(platform.app)).filter((o) => o.method !== 'DELETE' || !o.path.startsWith('/v1/me')); // erasure is tested on its own
    expect(ops.length).toBeGreaterThan(5);
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(
          weirdJson,
          fc.array(pathParam, { minLength: 3, maxLength: 3 }),
          fc.dictionary(weirdString.filter(encodable), weirdString.filter(encodable), { maxKeys: 4 }),
          async (body, params, query) => {
            let i = 0;
            const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++] ?? 'x'));
            const qs = new URLSearchParams(query).toString();
            const before = await userRows();
            const res = await platform.app.request(`${path}${qs ? `?${qs}` : ''}`, {
              method: op.method,
              headers: {
                ...(op.security ? { authorization: bearer[op.security]! } : {}),
                ...(op.hasBody ? { 'content-type': 'application/json' } : {}),
              },
              ...(op.hasBody ? { body: JSON.stringify(body) } : {}),
            });
            const label = `${op.method} ${op.path} → ${res.status}`;
            expect(res.status, label).toBeLessThan(500);
            if (res.status >= 400) {
              const json = await res.json();
              expect(json.error, label).toMatchObject({
                code: expect.any(String),
                message: expect.any(String),
                request_id: expect.any(String),
              });
              expect(await userRows(), `${label}: rows written by a rejected request`).toBe(before);
            }
          },
        ),
        { numRuns: 15 },
      );
    }
  });
});
