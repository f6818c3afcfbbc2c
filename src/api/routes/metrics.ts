// GET /metrics (admin token): Prometheus text. Besides the process's own series, gauges computed at
// scrape time from Redis and PostgreSQL: jobs per queue and state, outbox backlog, clock lag, open
// safety incidents (someone's outreach is running right now) and how long the oldest has been open.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Gauge } from 'prom-client';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { OUTREACH_LEVELS } from '../../domain/enums.ts';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

function registerScrapeGauges(metrics: Metrics, deps: AppDeps) {
  new Gauge({
    name: 'hearth_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      for (const queue of deps.producer.allQueues()) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  /** A gauge of one number, the query's `v` (null and negatives read as 0). */
  const sqlGauge = (name: string, help: string, sql: string) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        const [row] = await deps.orm.em.getConnection().execute<{ v: number | null }[]>(sql);
        this.set(Math.max(0, row?.v ?? 0));
      },
    });
  sqlGauge(
    'hearth_outbox_backlog',
    'Outbox rows not yet relayed to Redis',
    `select count(*)::int as v from outbox_jobs where enqueued_at is null`,
  );
  sqlGauge(
    'hearth_clock_lag_seconds',
    'Now minus the oldest next_run_at that is due and not yet fired (0 when none is due)',
    `select extract(epoch from now() - min(next_run_at))::float8 as v from (
       select next_run_at from schedules where is_active and next_run_at <= now()
       union all select next_run_at from voice_schedules where is_active and next_run_at <= now()) due`,
  );
  new Gauge({
    name: 'hearth_outreach_incidents_open',
    help: 'Safety incidents whose outreach is running (status open), by crisis level',
    labelNames: ['crisis_level'],
    registers: [metrics.registry],
    async collect() {
      const rows = await deps.orm.em
        .getConnection()
        .execute<{ level: string; n: number }[]>(
          `select crisis_level as level, count(*)::int as n from safety_incidents where status = 'open' group by crisis_level`,
        );
      // Every level, 0 included: an alert on the series must see it drop back, not vanish.
      for (const level of OUTREACH_LEVELS)
        this.set({ crisis_level: level }, rows.find((r) => r.level === level)?.n ?? 0);
    },
  });
  sqlGauge(
    'hearth_outreach_oldest_open_incident_seconds',
    'How long the oldest open safety incident has been open (0 when none is)',
    `select extract(epoch from now() - min(opened_at))::float8 as v from safety_incidents where status = 'open'`,
  );
}

export function metricsRoutes(deps: AppDeps, metrics: Metrics) {
  registerScrapeGauges(metrics, deps);
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (admin token)',
    security: [{ adminToken: [] }],
    responses: {
      200: { description: 'the text exposition format', content: { 'text/plain': { schema: z.string() } } },
      401: { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } },
    },
  });
  app.use('/metrics', adminAuth(deps.config.ADMIN_TOKEN!));
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  return app;
}
