import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { createApp } from '../../src/api/app.ts';
import { createMetrics } from '../../src/lib/metrics.ts';
import { auditEvent } from '../../src/queues/audit-event.ts';
import { registrations } from '../../src/workers/processors.ts';
import { startWorkerRuntime } from '../../src/workers/runtime.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

it('serves Prometheus metrics to admins: queues, outbox, clock lag, HTTP and job durations', async () => {
  const metrics = createMetrics();
  const app = createApp({ ...platform, metrics });
  const runtime = startWorkerRuntime({
    ...platform, registrations, redisUrl: platform.config.REDIS_URL, prefix: platform.config.REDIS_PREFIX, concurrency: 1, metrics,
  });
  try {
    expect((await app.request('/metrics')).status).toBe(401);
    await app.request('/healthz');
    await platform.producer.enqueue(auditEvent, { user_id: null, event_type: 'm', event_category: 'system', severity: 'info', event_data: {}, request_id: null });
    const scrape = async () => (await app.request('/metrics', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    const text = await eventually(async () => {
      const t = await scrape();
      return t.includes('hearth_job_duration_seconds_count{queue="audit-event",outcome="completed"} 1') ? t : null;
    });
    expect(text).toMatch(/hearth_queue_jobs\{queue="audit-event",state="waiting"\} \d+/);
    expect(text).toMatch(/hearth_outbox_backlog \d+/);
    expect(text).toMatch(/hearth_clock_lag_seconds \d+/);
    expect(text).toContain('hearth_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1');
  } finally {
    await runtime.close(2_000);
  }
});
