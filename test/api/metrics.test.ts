import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { call, chatUser } from '../chat/helpers.ts';
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
    ...platform,
    registrations,
    redisUrl: platform.config.REDIS_URL,
    prefix: platform.config.REDIS_PREFIX,
    concurrency: 1,
    metrics,
  });
  try {
    expect((await app.request('/metrics')).status).toBe(401);
    await app.request('/healthz');
    await platform.producer.enqueue(auditEvent, {
      user_id: null,
      event_type: 'm',
      event_category: 'system',
      severity: 'info',
      event_data: {},
      request_id: null,
    });
    const scrape = async () =>
      (await app.request('/metrics', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    const text = await eventually(async () => {
      const t = await scrape();
      return t.includes('hearth_job_duration_seconds_count{queue="audit-event",outcome="completed"} 1') ? t : null;
    });
    expect(text).toMatch(/hearth_queue_jobs\{queue="audit-event",state="waiting"\} \d+/);
    expect(text).toMatch(/hearth_outbox_backlog \d+/);
    expect(text).toMatch(/hearth_clock_lag_seconds \d+/);
    expect(text).toMatch(/hearth_outreach_incidents_open\{crisis_level="critical"\} \d+/);
    expect(text).toContain('hearth_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1');
  } finally {
    await runtime.close(2_000);
  }
});

it('counts open safety incidents by level, and the age of the oldest, from the real rows', async () => {
  // A database of its own: other files open incidents in the shared one while this counts.
  const db = await createOwnDatabase('metrics');
  const own = await createTestPlatform({ DATABASE_URL: db.url });
  try {
    const scrape = async () =>
      (await own.app.request('/metrics', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    const open = async (level: string) =>
      Number(
        new RegExp(`^hearth_outreach_incidents_open\\{crisis_level="${level}"\\} (\\S+)$`, 'm').exec(
          await scrape(),
        )?.[1],
      );
    const oldest = async () =>
      Number(/^hearth_outreach_oldest_open_incident_seconds (\S+)$/m.exec(await scrape())?.[1]);
    expect([await open('high'), await open('critical'), await oldest()]).toEqual([0, 0, 0]);

    // Opened the way the app opens them: "I need help" (POST /v1/safety/alerts).
    const [robin, sam] = [await chatUser(own), await chatUser(own)];
    const alert = async (u: typeof robin, body: object) =>
      (await (await call(own, u, 'POST', '/v1/safety/alerts', body)).json()).incident_id as string;
    const critical = await alert(robin, {});
    const high = await alert(sam, { crisis_level: 'high' });
    expect([await open('high'), await open('critical')]).toEqual([1, 1]);
    await own.orm.em
      .getConnection()
      .execute(`update safety_incidents set opened_at = now() - interval '10 minutes' where id = ?`, [high]);
    expect(await oldest()).toBeGreaterThanOrEqual(600);

    // Acknowledged (resolved): no longer open.
    expect((await call(own, robin, 'POST', `/v1/safety/incidents/${critical}/acknowledge`)).status).toBe(200);
    expect([await open('high'), await open('critical')]).toEqual([1, 0]);
    expect((await call(own, sam, 'POST', `/v1/safety/incidents/${high}/acknowledge`)).status).toBe(200);
    expect([await open('high'), await open('critical'), await oldest()]).toEqual([0, 0, 0]);
  } finally {
    await own.close();
    await db.drop();
  }
});
