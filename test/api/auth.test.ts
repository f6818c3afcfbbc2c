import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { unsignedToken, userToken } from '../support/tokens.ts';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_KEY } from '../support/constants.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const get = (path: string, authorization?: string) =>
  platform.app.request(path, { headers: authorization ? { authorization } : {} });

describe('user tokens (HS256 project secret)', () => {
  it('accepts a valid token and names its user', async () => {
    const sub = randomUUID();
    const res = await get('/v1/me', `Bearer ${await userToken({ sub })}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: sub, synced: false, current_streak: 0, xp: 0 });
  });

  const bad: [string, () => Promise<string | undefined>][] = [
    ['no header', async () => undefined],
    ['not a bearer', async () => 'Basic abc'],
    ['garbage', async () => 'Bearer not.a.jwt'],
    ['expired', async () => `Bearer ${await userToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`],
    [
      'wrong signature',
      async () =>
        `Bearer ${await userToken({}, { key: new TextEncoder().encode('another-secret-another-secret-0123456789') })}`,
    ],
    ['alg none', async () => `Bearer ${unsignedToken()}`],
    ['wrong audience', async () => `Bearer ${await userToken({ aud: 'someone-else' })}`],
    ['anon role', async () => `Bearer ${await userToken({ role: 'anon' })}`],
    ['service_role key', async () => `Bearer ${await userToken({ role: 'service_role' })}`],
    ['subject not a uuid', async () => `Bearer ${await userToken({ sub: 'admin' })}`],
  ];
  it.each(bad)('401 for %s', async (_name, header) => {
    const res = await get('/v1/me', await header());
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.request_id).toBeTruthy();
  });

  it('says "token expired" for an expired token', async () => {
    const res = await get('/v1/me', `Bearer ${await userToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`);
    expect((await res.json()).error.message).toBe('token expired');
  });
});

describe('user tokens (asymmetric keys from the project JWKS)', () => {
  let server: Server;
  let jwksPlatform: TestPlatform;
  let privateKey: CryptoKey;
  let supabaseUrl: string;
  let jwksHits = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    server = createServer((req, res) => {
      if (req.url === '/auth/v1/.well-known/jwks.json') {
        jwksHits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    supabaseUrl = `http://127.0.0.1:${port}`;
    jwksPlatform = await createTestPlatform({ SUPABASE_URL: supabaseUrl, SUPABASE_JWT_SECRET: '' });
  });
  afterAll(async () => {
    await jwksPlatform.close();
    server.close();
  });

  const es256 = (claims: Record<string, unknown>, issuer: string) =>
    new SignJWT({ role: 'authenticated', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setSubject(randomUUID())
      .setAudience('authenticated')
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  it('accepts a token signed by a published key, with the project issuer', async () => {
    const res = await jwksPlatform.app.request('/v1/me', {
      headers: { authorization: `Bearer ${await es256({}, `${supabaseUrl}/auth/v1`)}` },
    });
    expect(res.status).toBe(200);
    expect(jwksHits).toBeGreaterThan(0);
  });

  it('401 for a token from another issuer', async () => {
    const res = await jwksPlatform.app.request('/v1/me', {
      headers: { authorization: `Bearer ${await es256({}, 'https://evil.example/auth/v1')}` },
    });
    expect(res.status).toBe(401);
  });

  it('401 for an HS256 token when only JWKS verification is configured (no algorithm confusion)', async () => {
    const res = await jwksPlatform.app.request('/v1/me', { headers: { authorization: `Bearer ${await userToken()}` } });
    expect(res.status).toBe(401);
  });
});

describe('service keys', () => {
  const post = (authorization?: string) =>
    platform.app.request('/v1/audit-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ event_type: 'probe', event_category: 'system', severity: 'info', event_data: {} }),
    });

  it.each([
    ['no key', undefined],
    ['a wrong key', 'Bearer wrong-key-wrong-key-wrong-key'],
    ['the admin token', `Bearer ${TEST_ADMIN_TOKEN}`],
    ['a user token', 'user'],
  ])('401 with %s', async (_name, header) => {
    const res = await post(header === 'user' ? `Bearer ${await userToken()}` : header);
    expect(res.status).toBe(401);
  });

  it('202 with a configured key', async () => {
    expect((await post(`Bearer ${TEST_SERVICE_KEY}`)).status).toBe(202);
  });
});
