// Redis over TLS as managed plans offer it: a TLS-only redis-server (`--port 0 --tls-port`) with a
// self-signed certificate for localhost. rediss:// verifies by default; REDIS_TLS_CA adds a CA;
// REDIS_TLS_REJECT_UNAUTHORIZED=false accepts the certificate and says so once; nothing needs
// NODE_TLS_REJECT_UNAUTHORIZED (which would turn verification off for every other outside call).
import { spawnSync } from 'node:child_process';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { redisTls } from '../../src/queues/connection.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { createTestPlatform, eventually, type TestPlatform, uniquePrefix } from '../support/platform.ts';
import { TlsOnlyRedis } from '../support/tls-servers.ts';
import { startRedisCluster } from '../support/redis-cluster.ts';
import { startMain } from '../support/main-process.ts';

const redis = new TlsOnlyRedis();
let platform: TestPlatform; // PostgreSQL access for the assertions
beforeAll(async () => {
  await redis.start();
  platform = await createTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.close();
  await redis.stop();
});

const env = (extra: Record<string, string>) => {
  const { NODE_TLS_REJECT_UNAUTHORIZED: _, ...inherited } = process.env;
  return { ...inherited, LOG_LEVEL: 'info', PORT: '0', REDIS_PREFIX: uniquePrefix(), ...extra };
};

describe('rediss://', () => {
  it('verifies the certificate by default: a self-signed one stops the start with the reason and the fix', {
    timeout: 60_000,
  }, () => {
    const r = spawnSync(process.execPath, ['src/main.ts', 'worker'], {
      env: env({ REDIS_URL: redis.url }),
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^hearth: Redis is not reachable at rediss:\/\/127\.0\.0\.1:\d+ \(self-signed certificate.* \(DEPTH_ZERO_SELF_SIGNED_CERT\)\): set REDIS_TLS_CA .* REDIS_TLS_REJECT_UNAUTHORIZED=false/,
    );
  });

  it('REDIS_TLS_CA adds a private CA to the public ones', { timeout: 60_000 }, async () => {
    expect(redisTls({ REDIS_URL: redis.url, REDIS_TLS_CA: 'pem' })).toEqual({
      ca: [...rootCertificates, 'pem'],
      rejectUnauthorized: true,
    });
    expect(redisTls({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBeUndefined();
    // The certificate names localhost.
    const worker = startMain(
      ['worker'],
      env({ REDIS_URL: `rediss://localhost:${redis.port}`, REDIS_TLS_CA: redis.tls.cert }),
    );
    await worker.waitFor('hearth ready');
    expect((await worker.stop()).code).toBe(0);
  });

  it('REDIS_TLS_REJECT_UNAUTHORIZED=false runs web, worker and clock, says so once, and jobs flow', {
    timeout: 60_000,
  }, async () => {
    const proc = startMain(
      ['web', 'worker', 'clock'],
      env({ REDIS_URL: redis.url, REDIS_TLS_REJECT_UNAUTHORIZED: 'false', SERVICE_API_KEYS: TEST_SERVICE_KEY }),
    );
    const { port } = await proc.waitFor('api listening');
    await proc.waitFor('hearth ready');
    expect(proc.entries().filter((e) => String(e.msg).includes('REDIS_TLS_REJECT_UNAUTHORIZED'))).toHaveLength(1);
    const eventType = `tls_${Date.now()}`;
    const res = await fetch(`http://127.0.0.1:${port}/v1/audit-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}` },
      body: JSON.stringify({ event_type: eventType, event_category: 'system', severity: 'info' }),
    });
    expect(res.status).toBe(202);
    await eventually(() => platform.orm.em.fork().count(SystemEvent, { eventType }), 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await proc.stop()).code).toBe(0);
  });
});

describe('rediss+cluster://', () => {
  it('runs web, worker and clock on a TLS-only Redis Cluster with a self-signed certificate', {
    timeout: 90_000,
  }, async () => {
    const cluster = await startRedisCluster({ tls: redis.tls });
    try {
      const proc = startMain(
        ['web', 'worker', 'clock'],
        env({
          REDIS_URL: cluster.url,
          REDIS_PREFIX: `{${uniquePrefix()}}`,
          REDIS_TLS_REJECT_UNAUTHORIZED: 'false',
          SERVICE_API_KEYS: TEST_SERVICE_KEY,
        }),
      );
      const { port } = await proc.waitFor('api listening', 60_000);
      await proc.waitFor('hearth ready', 60_000);
      const eventType = `tls_cluster_${Date.now()}`;
      const res = await fetch(`http://127.0.0.1:${port}/v1/audit-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}` },
        body: JSON.stringify({ event_type: eventType, event_category: 'system', severity: 'info' }),
      });
      expect(res.status).toBe(202);
      await eventually(() => platform.orm.em.fork().count(SystemEvent, { eventType }), 30_000);
      expect((await proc.stop()).code).toBe(0);
    } finally {
      await cluster.stop();
    }
  });
});
