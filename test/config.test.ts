import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_ADMIN_TOKEN, DEV_JWT_SECRET, DEV_SECRETS, loadConfig } from '../src/config.ts';

/** Every secret a deployment must set, none of them a development value. */
const deployment = {
  ADMIN_TOKEN: 'a'.repeat(20),
  SUPABASE_JWT_SECRET: 'j'.repeat(40),
  SUPABASE_JWT_ISSUER: 'https://project.supabase.example/auth/v1',
  SAFETY_LINK_SECRET: 's'.repeat(40),
  VAPI_WEB_CALL_SECRET: 'w'.repeat(30),
  ERASURE_TOMBSTONE_KEY: 'e'.repeat(40),
  PUBLIC_BASE_URL: 'https://hearth.example.org',
};

describe('config', () => {
  it('runs on the local defaults when NODE_ENV says development (or test), explicitly', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hearth',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      REDIS_PREFIX: 'hearth',
      ADMIN_TOKEN: DEV_ADMIN_TOKEN,
      SAFETY_LINK_SECRET: DEV_SECRETS.SAFETY_LINK_SECRET,
      HOST: '127.0.0.1',
      SERVICE_API_KEYS: [],
      WORKER_QUEUES: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).ADMIN_TOKEN).toBe(DEV_ADMIN_TOKEN);
  });

  it('a deployment (any other NODE_ENV, or none) has no development defaults: every secret is named', () => {
    for (const NODE_ENV of [undefined, 'production', 'staging', 'Development']) {
      const env = NODE_ENV ? { NODE_ENV } : {};
      expect(() => loadConfig(env), String(NODE_ENV)).toThrow(ConfigError);
      const message = (() => {
        try {
          loadConfig(env);
        } catch (err) {
          return (err as Error).message;
        }
      })();
      for (const name of ['ADMIN_TOKEN', 'SAFETY_LINK_SECRET', 'VAPI_WEB_CALL_SECRET', 'ERASURE_TOMBSTONE_KEY'])
        expect(message, `${NODE_ENV}: ${name}`).toMatch(
          new RegExp(`${name}: required unless NODE_ENV=development or test`),
        );
      expect(message).not.toContain('\n');
      expect(loadConfig({ ...env, ...deployment })).toMatchObject({
        ADMIN_TOKEN: deployment.ADMIN_TOKEN,
        HOST: '0.0.0.0',
      });
    }
  });

  it.each([
    ['ADMIN_TOKEN', DEV_ADMIN_TOKEN],
    ['SAFETY_LINK_SECRET', DEV_SECRETS.SAFETY_LINK_SECRET],
    ['VAPI_WEB_CALL_SECRET', DEV_SECRETS.VAPI_WEB_CALL_SECRET],
    ['ERASURE_TOMBSTONE_KEY', DEV_SECRETS.ERASURE_TOMBSTONE_KEY],
    ['SUPABASE_JWT_SECRET', DEV_JWT_SECRET],
  ])('a deployment refuses the known development value of %s', (name, value) => {
    expect(() => loadConfig({ ...deployment, [name]: value })).toThrow(
      new RegExp(`^invalid configuration: ${name}: is (a|the) public development`),
    );
  });

  it('checks the token issuer even with an HS256 secret alone: a deployment must name it', () => {
    const { SUPABASE_JWT_ISSUER: _, ...withoutIssuer } = deployment;
    expect(() => loadConfig(withoutIssuer)).toThrow(/^invalid configuration: SUPABASE_JWT_ISSUER: required with/);
    expect(loadConfig({ ...withoutIssuer, SUPABASE_URL: 'https://x.supabase.co' }).SUPABASE_URL).toBeDefined();
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      SERVICE_API_KEYS: ' key-aaaaaaaaaaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbbbbbbbbbb',
      WORKER_QUEUES: 'audit-event',
      PORT: '8080',
    });
    expect(config.SERVICE_API_KEYS).toEqual(['key-aaaaaaaaaaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbbbbbbbbbb']);
    expect(config.WORKER_QUEUES).toEqual(['audit-event']);
    expect(config.PORT).toBe(8080);
  });

  it.each([
    [{ NODE_ENV: 'test', PORT: 'eighty' }, 'PORT'],
    [{ NODE_ENV: 'test', DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'test', REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ NODE_ENV: 'test', SERVICE_API_KEYS: 'short' }, 'SERVICE_API_KEYS'],
    [{ NODE_ENV: 'test', SUPABASE_JWT_SECRET: 'too-short' }, 'SUPABASE_JWT_SECRET'],
    [{ NODE_ENV: 'test', EMBEDDING_PROVIDER: 'word2vec' }, 'EMBEDDING_PROVIDER'],
    [{ NODE_ENV: 'test', LLM_EMBEDDING_DIMENSIONS: '3' }, 'LLM_EMBEDDING_DIMENSIONS'],
    [{ NODE_ENV: 'test', TRUST_PROXY_HOPS: '-1' }, 'TRUST_PROXY_HOPS'],
    [{ NODE_ENV: 'production', SUPABASE_JWT_SECRET: 'x'.repeat(40) }, 'ADMIN_TOKEN'],
    [{ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(20) }, 'SUPABASE_JWT_SECRET'],
    [{ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(20) }, 'VAPI_WEB_CALL_SECRET'],
    [{ NODE_ENV: 'test', VAPI_WEB_CALL_SECRET: 'short' }, 'VAPI_WEB_CALL_SECRET'],
  ])('rejects %o naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: (.*; )?${variable}(\\.\\d+)?: `));
  });

  it('a process with a bad variable prints one line naming it and exits 1, without a stack trace', () => {
    const result = spawnSync(process.execPath, ['src/main.ts', 'web'], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^hearth: invalid configuration: PORT: /)]);
  });

  it('the Procfile web process with NODE_ENV unset and no ADMIN_TOKEN exits 1 naming it, opening nothing', () => {
    const { NODE_ENV: _n, ADMIN_TOKEN: _a, SAFETY_LINK_SECRET: _s, ...env } = process.env;
    const result = spawnSync(process.execPath, ['src/main.ts', 'web'], {
      env: { ...env, PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^hearth: invalid configuration: (.*; )?ADMIN_TOKEN: required unless NODE_ENV=development or test \(NODE_ENV is unset\)/,
      ),
    ]);
    expect(lines[0]).toContain('SAFETY_LINK_SECRET');
    expect(result.stdout).not.toContain('api listening');
  });
});
