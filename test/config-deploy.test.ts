// The settings a deployment adds (docs/deploy.md): what production requires, what is bounded, and how
// the TLS/SSL variables are read.
import { expect, it } from 'vitest';
import { loadConfig, MAX_SHUTDOWN_TIMEOUT_MS } from '../src/config.ts';
import { createMetrics } from '../src/lib/metrics.ts';

/** Everything production requires besides what a case leaves out. */
const production = {
  NODE_ENV: 'production',
  ADMIN_TOKEN: 'x'.repeat(20),
  SUPABASE_JWT_SECRET: 'x'.repeat(40),
  SUPABASE_JWT_ISSUER: 'https://project.supabase.example/auth/v1',
  ERASURE_TOMBSTONE_KEY: 'deploy-test-erasure-tombstone-key-0123456789',
  SAFETY_LINK_SECRET: 'deploy-test-safety-link-secret-0123456789',
  VAPI_WEB_CALL_SECRET: 'deploy-test-web-call-secret-0123456789',
  PUBLIC_BASE_URL: 'https://hearth.example.org',
};

it('requires PUBLIC_BASE_URL in production (links and Twilio callbacks must not point at localhost)', () => {
  const { PUBLIC_BASE_URL: _, ...withoutUrl } = production;
  expect(() => loadConfig(withoutUrl)).toThrow(/PUBLIC_BASE_URL: required unless NODE_ENV=development or test/);
  expect(loadConfig(production).PUBLIC_BASE_URL).toBe('https://hearth.example.org');
  expect(loadConfig({ NODE_ENV: 'test' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
});

it('bounds SHUTDOWN_TIMEOUT_MS so a stop fits in the 30 s a platform gives it', () => {
  expect(
    loadConfig({ NODE_ENV: 'test', SHUTDOWN_TIMEOUT_MS: String(MAX_SHUTDOWN_TIMEOUT_MS) }).SHUTDOWN_TIMEOUT_MS,
  ).toBe(20_000);
  expect(() => loadConfig({ NODE_ENV: 'test', SHUTDOWN_TIMEOUT_MS: '25000' })).toThrow(
    /SHUTDOWN_TIMEOUT_MS: at most 20000/,
  );
});

it('reads the Redis TLS settings and accepts a TLS cluster URL', () => {
  expect(loadConfig({ NODE_ENV: 'test' }).REDIS_TLS_REJECT_UNAUTHORIZED).toBe(true);
  expect(loadConfig({ NODE_ENV: 'test', REDIS_TLS_REJECT_UNAUTHORIZED: 'false' }).REDIS_TLS_REJECT_UNAUTHORIZED).toBe(
    false,
  );
  expect(() => loadConfig({ NODE_ENV: 'test', REDIS_TLS_REJECT_UNAUTHORIZED: '0' })).toThrow(
    /REDIS_TLS_REJECT_UNAUTHORIZED/,
  );
  expect(
    loadConfig({ NODE_ENV: 'test', REDIS_URL: 'rediss+cluster://a:6379,b:6379', REDIS_PREFIX: '{h}' }).REDIS_URL,
  ).toMatch(/^rediss/);
  expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'rediss+cluster://a:6379' })).toThrow(
    /REDIS_PREFIX: needs a hash tag/,
  );
});

it('names the default process metrics with one prefix', async () => {
  const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
  expect(names).toContain('hearth_process_cpu_seconds_total');
  expect(names.filter((n) => n.includes('process_process'))).toEqual([]);
});
