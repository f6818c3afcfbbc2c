// With Redis down the API still accepts an outbox-backed request; when Redis returns, the backlog
// drains on its own and the job runs exactly once.
import { expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestPlatform, eventually } from '../support/platform.ts';
import { platformOnOwnRedis } from '../support/redis-server.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { relayOutboxBatch, startOutboxRelay } from '../../src/queues/outbox-relay.ts';
import { auditEvent } from '../../src/queues/audit-event.ts';
import { deterministicUuid } from '../../src/lib/ids.ts';

const { redis, platform: current } = platformOnOwnRedis();

it('accepts while Redis is down, then relays and runs the job once when it is back', async () => {
  const platform = current();
  await redis.stop();

  const ready = await platform.app.request('/readyz');
  expect(ready.status).toBe(503);
  expect((await ready.json()).checks).toMatchObject({ postgres: 'ok', redis: expect.not.stringMatching(/^ok$/) });

  const started = Date.now();
  const res = await platform.app.request('/v1/audit-events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_KEY}` },
    body: JSON.stringify({ event_type: 'while_redis_down', event_category: 'system', severity: 'warning' }),
  });
  expect(res.status).toBe(202);
  expect(Date.now() - started).toBeLessThan(2_000);
  const { job_id } = await res.json();

  // A request whose job is not outbox-backed answers 503 at once instead.
  const { TEST_ADMIN_TOKEN } = await import('../support/constants.ts');
  const t = Date.now();
  const direct = await platform.app.request('/admin/api/engagement/recompute', {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  expect(direct.status).toBe(503);
  expect(direct.headers.get('retry-after')).toBe('5');
  expect((await direct.json()).error.code).toBe('UNAVAILABLE');
  // "At once": well before the 2 s a Queue.add waits for Redis (src/queues/producer.ts), on a busy machine too.
  expect(Date.now() - t).toBeLessThan(1_500);

  // A relay pass while Redis is down keeps the row (the pass itself, not a sleep while a loop may or may not poll).
  expect(await relayOutboxBatch(platform.orm.em, platform.producer, 10)).toMatchObject({ relayed: 0 });
  expect((await platform.orm.em.fork().findOneOrFail(OutboxJob, job_id)).enqueuedAt).toBeNull();

  const relay = startOutboxRelay({
    em: platform.orm.em,
    producer: platform.producer,
    log: platform.log,
    intervalMs: 100,
    batchSize: 10,
  });
  try {
    await redis.start();
    platform.startWorkers();
    const row = await eventually(
      () => platform.orm.em.fork().findOne(SystemEvent, { id: deterministicUuid(`audit-event:${job_id}`) }),
      15_000,
    );
    expect(row.eventType).toBe('while_redis_down');
    await eventually(async () => (await platform.orm.em.fork().findOneOrFail(OutboxJob, job_id)).enqueuedAt);
    // Once: the queue holds one completed job and nothing else waiting, running or delayed (no sleep needed).
    await eventually(async () => {
      const n = await platform.producer.queue(auditEvent).getJobCounts('wait', 'active', 'delayed', 'completed');
      return n.completed === 1 && !n.wait && !n.active && !n.delayed;
    });
    expect(await platform.orm.em.fork().count(SystemEvent, { eventType: 'while_redis_down' })).toBe(1);
  } finally {
    await relay.stop();
  }
});

it('/readyz answers within 2 s even when Redis hangs', async () => {
  await redis.start();
  const hung = await createTestPlatform({ REDIS_URL: redis.url });
  try {
    // DEBUG SLEEP blocks the server: connected, but no answer.
    const blocker = new Redis(redis.url);
    await blocker.ping();
    void blocker.call('DEBUG', 'SLEEP', '3').catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const res = await hung.app.request('/readyz');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(503);
    expect((await res.json()).checks.redis).toBe('failed');
    blocker.disconnect();
  } finally {
    await hung.close();
  }
});
