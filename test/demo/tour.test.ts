// `npm run demo` against a platform this test starts as `npm run demo:platform` would (demo/platform.env), on a
// database of its own (the platform's clock and relay must not take other test files' schedules and outbox rows)
// and free ports for the API and the sinks. Keeps the tour from rotting: every step must complete.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseEnv } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDatabaseUrl } from '../support/constants.ts';
import { uniquePrefix } from '../support/platform.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const dbName = `hearth_demo_${Date.now().toString(36)}`;
let env: Record<string, string>;
let platform: ChildProcess;

beforeAll(async () => {
  const [api, twilio, smtp, vapi] = [await freePort(), await freePort(), await freePort(), await freePort()];
  env = {
    ...(process.env as Record<string, string>),
    ...parseEnv(readFileSync('demo/platform.env', 'utf8')),
    SUPABASE_JWT_SECRET: '', // as locally: no Supabase project, dev:token identities
    DATABASE_URL: adminDatabaseUrl.replace(/\/[^/]*$/, `/${dbName}`),
    REDIS_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'warn',
    PORT: String(api),
    TWILIO_BASE_URL: `http://127.0.0.1:${twilio}`,
    SMTP_URL: `smtp://127.0.0.1:${smtp}?ignoreTLS=true`,
    VAPI_BASE_URL: `http://127.0.0.1:${vapi}`,
  } as Record<string, string>;
  // `node src/main.ts` with no role: creates the database, migrates it, runs web + worker + clock.
  platform = spawn(process.execPath, ['src/main.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 90_000;
  while (
    !(await fetch(`http://127.0.0.1:${api}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || platform.exitCode !== null) throw new Error('the platform did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  if (platform && platform.exitCode === null) {
    const exited = new Promise((r) => platform.once('exit', r));
    platform.kill('SIGTERM');
    await exited;
  }
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
}, 60_000);

describe('npm run demo', () => {
  it('walks one user through every step against the running platform', { timeout: 300_000 }, async () => {
    const demo = spawn(process.execPath, ['demo/tour.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    demo.stdout!.on('data', (c: Buffer) => (out += c));
    demo.stderr!.on('data', (c: Buffer) => (err += c));
    const code = await new Promise((r) => demo.once('exit', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    const steps = [...out.matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);
    expect(steps).toHaveLength(6);
    expect(out).toMatch(/memory: \[personal_fact/);
    expect(out).toMatch(/SMS to \+14155550142/);
    expect(out).toMatch(/email to sam@example\.com/);
    expect(out).toMatch(/check-up: (sent|completed)/);
    expect(out).toMatch(/"status":"ended"/);
    expect(out).toMatch(/GET \/v1\/me now answers 403/);
    expect(out).toMatch(/^Done: /m);
  });
});
