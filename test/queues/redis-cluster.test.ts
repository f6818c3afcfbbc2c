// The queue-level path on a 3-node Redis Cluster: a hash-tagged prefix keeps every queue in one slot, and
// API → outbox → relay → worker → PostgreSQL works as on a single Redis.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { startRedisCluster, type OwnCluster } from '../support/redis-cluster.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { loadConfig } from '../../src/config.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { deterministicUuid } from '../../src/lib/ids.ts';
import { auditEvent } from '../../src/queues/audit-event.ts';
import { registrations } from '../../src/workers/processors.ts';

let cluster: OwnCluster;
let platform: TestPlatform;
beforeAll(async () => {
  cluster = await startRedisCluster();
  platform = await createTestPlatform({
    REDIS_URL: cluster.url,
    REDIS_PREFIX: `{hearth-${randomBytes(3).toString('hex')}}`,
  });
  platform.startWorkers(registrations.filter((r) => r.job.name === auditEvent.name));
}, 60_000);
afterAll(async () => {
  await platform?.close();
  await cluster?.stop();
});

it('refuses a cluster without a hash-tagged prefix', () => {
  expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: cluster.url, REDIS_PREFIX: 'hearth' })).toThrow(
    /REDIS_PREFIX: needs a hash tag/,
  );
});

it('runs a job end to end and answers /readyz', async () => {
  expect((await platform.app.request('/readyz')).status).toBe(200);
  const res = await platform.app.request('/v1/audit-events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}` },
    body: JSON.stringify({ event_type: 'on_cluster', event_category: 'system', severity: 'info' }),
  });
  expect(res.status).toBe(202);
  const { job_id } = await res.json();
  const row = await eventually(
    () => platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`audit-event:${job_id}`) }),
    15_000,
  );
  expect(row.eventType).toBe('on_cluster');
  expect(await (await platform.producer.queue(auditEvent).getJob(job_id))?.getState()).toBe('completed');
});
