import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { AppDeps } from '../app.ts';
import { withTimeout } from '../../lib/timeout.ts';
import type { AppEnv } from '../env.ts';

const READY_TIMEOUT_MS = 1_500;

/** Resolves to an error message, or null when the check passed within the timeout. */
async function probe(name: string, check: () => Promise<unknown>): Promise<string | null> {
  try {
    await withTimeout(check(), READY_TIMEOUT_MS, name);
    return null;
  } catch (err) {
    return (err as Error).message || 'failed';
  }
}

/** Waits for a (re)connecting client to be ready (the probe's timeout bounds it), then pings. */
async function pingRedis(redis: Redis) {
  if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  await redis.ping();
}

const Checks = z.object({ postgres: z.string(), redis: z.string() });

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Ready when PostgreSQL and Redis answer',
  responses: {
    200: {
      description: 'ready',
      content: { 'application/json': { schema: z.object({ status: z.literal('ready'), checks: Checks }) } },
    },
    503: {
      description: 'a dependency does not answer',
      content: { 'application/json': { schema: z.object({ status: z.literal('unavailable'), checks: Checks }) } },
    },
  },
});

const live = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Alive while the process runs',
  responses: {
    200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
  },
});

export function healthRoutes(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>()
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const [postgres, redis] = await Promise.all([
        probe('postgres', () => deps.orm.em.getConnection().execute('select 1')),
        probe('redis', () => pingRedis(deps.producer.connection)),
      ]);
      const checks = { postgres: postgres ?? 'ok', redis: redis ?? 'ok' };
      if (postgres || redis) return c.json({ status: 'unavailable' as const, checks }, 503);
      return c.json({ status: 'ready' as const, checks }, 200);
    });
}
