// The deploy check of issue 20, as a Heroku-style platform runs Hearth: the slug a Node buildpack builds (a
// clean clone of HEAD, `npm ci --omit=dev`, so a devDependency imported by src/ fails here), NODE_ENV=production,
// an SSL-only PostgreSQL reached with sslmode=require, a TLS-only Redis with a self-signed certificate reached
// with REDIS_TLS_REJECT_UNAUTHORIZED=false, and no NODE_TLS_REJECT_UNAUTHORIZED. The release migrates; web,
// worker and clock start from their Procfile lines; an audit event posted to web reaches system_events
// through the worker; every PostgreSQL connection is SSL; the three hold at most 24 Redis connections and
// 400 MB each; each exits 0 within 30 s of SIGTERM. docs/deploy.md says how to run it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TEST_JWT_ISSUER, TEST_JWT_SECRET, TEST_SERVICE_KEY } from '../support/constants.ts';
import { eventually, uniquePrefix } from '../support/platform.ts';
import { buildSlug, startRole, type Slug } from '../support/slug.ts';
import { SslOnlyPostgres, TlsOnlyRedis } from '../support/tls-servers.ts';

/** The budgets the issue sets: Redis connections of web + worker + clock, MB of peak RSS per role. */
const MAX_REDIS_CONNECTIONS = 24;
const MAX_RSS_MB = 400;
const STOP_WITHIN_MS = 30_000;

const postgres = new SslOnlyPostgres();
const redis = new TlsOnlyRedis();
const database = 'hearth';
let slug: Slug;
beforeAll(async () => {
  slug = buildSlug();
  await Promise.all([postgres.start(), redis.start()]);
  await postgres.admin(`create database ${database}`);
}, 180_000);
// Removing the slug's node_modules is slow on a busy disk (the hook timed out twice at 60 s in a loaded run).
afterAll(async () => {
  await Promise.all([slug?.remove(), postgres.stop(), redis.stop()]);
}, 180_000);

it('runs on the one Node major that engines, .node-version and the tests name', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const major = process.versions.node.split('.')[0];
  expect(pkg.engines.node).toBe(`${major}.x`);
  expect(readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim()).toBe(major);
  expect(pkg.devDependencies.node.split('.')[0]).toBe(major);
});

/** A dyno's environment: the platform's and the app's variables only, nothing inherited from the test run. */
const dynoEnv = () => ({
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  PORT: '0',
  DATABASE_URL: postgres.url(database, 'require'),
  REDIS_URL: redis.url,
  REDIS_TLS_REJECT_UNAUTHORIZED: 'false',
  REDIS_PREFIX: uniquePrefix(),
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
  SUPABASE_JWT_ISSUER: TEST_JWT_ISSUER,
  ERASURE_TOMBSTONE_KEY: 'deploy-test-erasure-tombstone-key-0123456789',
  SERVICE_API_KEYS: TEST_SERVICE_KEY,
  SAFETY_LINK_SECRET: 'deploy-test-safety-link-secret-0123456789',
  VAPI_WEB_CALL_SECRET: 'deploy-test-web-call-secret-0123456789',
  PUBLIC_BASE_URL: 'https://hearth.example.org',
});

/** Peak resident set size (VmHWM) of a running process, in MB. */
const peakRssMb = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/)![1]) / 1024;

/** The Redis clients other than the one asking, by name (BullMQ names its blocking ones `prefix:queue`). */
function redisClients(): string[] {
  return redis
    .cli('CLIENT', 'LIST')
    .trim()
    .split('\n')
    .filter((line) => !line.includes('cmd=client|list'))
    .map((line) => line.match(/ name=(\S*)/)?.[1] ?? '');
}

it('releases, boots web, worker and clock from the Procfile, and moves an audit event end to end', {
  timeout: 180_000,
}, async () => {
  const env = dynoEnv();
  const release = startRole(slug, 'release', env);
  expect(await release.exited, release.stderr()).toBe(0);
  expect(release.entries().at(-1)).toMatchObject({ msg: 'migrations applied', count: expect.any(Number) });

  const roles = Object.fromEntries(['web', 'worker', 'clock'].map((role) => [role, startRole(slug, role, env)]));
  try {
    await Promise.all(Object.values(roles).map((p) => p.waitFor('hearth ready', 60_000)));
    const { port } = await roles.web!.waitFor('api listening');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const eventType = `deploy_check_${Date.now()}`;
    const posted = await fetch(`${base}/v1/audit-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}` },
      body: JSON.stringify({ event_type: eventType, event_category: 'system', severity: 'info' }),
    });
    expect(posted.status).toBe(202);
    await eventually(async () => {
      const { rows } = await postgres.admin(`select 1 from system_events where event_type = '${eventType}'`, database);
      return rows.length === 1;
    }, 30_000);

    const { rows: plaintext } = await postgres.admin(
      `select count(*)::int as n from pg_stat_activity a join pg_stat_ssl s using (pid)
       where a.datname = '${database}' and not s.ssl`,
    );
    expect(plaintext[0].n).toBe(0); // hostssl only: a plaintext session could not exist; checked anyway

    const clients = redisClients();
    const rssMb = Object.fromEntries(
      Object.entries(roles).map(([role, p]) => [role, Math.round(peakRssMb(p.proc.pid!))]),
    );
    console.log(JSON.stringify({ deployCheck: { redisConnections: clients.length, peakRssMb: rssMb } }));
    expect(clients.length, clients.join(' ')).toBeLessThanOrEqual(MAX_REDIS_CONNECTIONS);
    for (const [role, mb] of Object.entries(rssMb)) expect(mb, `${role} peak RSS`).toBeLessThanOrEqual(MAX_RSS_MB);
    for (const [role, p] of Object.entries(roles)) {
      expect(
        p.entries().filter((e) => String(e.msg).includes('REDIS_TLS_REJECT_UNAUTHORIZED')),
        role,
      ).toHaveLength(1);
    }
  } finally {
    const stops = await Promise.all(Object.values(roles).map((p) => p.stop()));
    console.log(JSON.stringify({ deployCheck: { stopMs: stops.map((s) => Math.round(s.ms)) } }));
    for (const [i, role] of Object.keys(roles).entries()) {
      expect(stops[i]!.code, `${role}: ${roles[role]!.stderr()}`).toBe(0);
      expect(stops[i]!.ms, role).toBeLessThan(STOP_WITHIN_MS);
    }
  }
});
