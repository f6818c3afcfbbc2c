import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_ADMIN_TOKEN, loadConfig } from '../src/config.ts';

describe('config', () => {
  it('runs on the local defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hearth',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      REDIS_PREFIX: 'hearth',
      ADMIN_TOKEN: DEV_ADMIN_TOKEN,
      SERVICE_API_KEYS: [],
      WORKER_QUEUES: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({
      SERVICE_API_KEYS: ' key-aaaaaaaaaaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbbbbbbbbbb',
      WORKER_QUEUES: 'audit-event',
      PORT: '8080',
    });
    expect(config.SERVICE_API_KEYS).toEqual(['key-aaaaaaaaaaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbbbbbbbbbb']);
    expect(config.WORKER_QUEUES).toEqual(['audit-event']);
    expect(config.PORT).toBe(8080);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ SERVICE_API_KEYS: 'short' }, 'SERVICE_API_KEYS'],
    [{ SUPABASE_JWT_SECRET: 'too-short' }, 'SUPABASE_JWT_SECRET'],
    [{ EMBEDDING_PROVIDER: 'word2vec' }, 'EMBEDDING_PROVIDER'],
    [{ LLM_EMBEDDING_DIMENSIONS: '3' }, 'LLM_EMBEDDING_DIMENSIONS'],
    [{ NODE_ENV: 'production', SUPABASE_JWT_SECRET: 'x'.repeat(40) }, 'ADMIN_TOKEN'],
    [{ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(20) }, 'SUPABASE_JWT_SECRET'],
    [{ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(20) }, 'VAPI_WEB_CALL_SECRET'],
    [{ VAPI_WEB_CALL_SECRET: 'short' }, 'VAPI_WEB_CALL_SECRET'],
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
});
