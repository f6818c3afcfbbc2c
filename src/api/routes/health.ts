import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { AppDeps } from '../app.ts';
import { withTimeout } from '../../lib/timeout.ts';
import { pendingMigrations } from '../../db/schema-status.ts';
import { evictionWarning, redisInfo, refusingConnections } from '../../queues/redis-info.ts';
import type { AppEnv } from '../env.ts';

const READY_TIMEOUT_MS = 1_500;

/** Resolves to the failure (logged by the caller, never answered), or null when the check passed in time. */
async function probe(name: string, check: () => Promise<unknown>): Promise<Error | null> {
  try {
    await withTimeout(check(), READY_TIMEOUT_MS, name);
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

class PendingMigrations extends Error {
  override name = 'PendingMigrations';
}

/**
 * Waits for a (re)connecting client to be ready (the probe's timeout bounds it), then asks for INFO: a
 * Redis at maxclients answers this connection but refuses new ones (a worker's blocking connections among
 * them), so it is not ready. Returns the eviction-policy warning, if any.
 */
async function checkRedis(redis: Redis, warnings: string[]) {
  if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  const info = await redisInfo(redis);
  const refusing = refusingConnections(info);
  if (refusing) throw new Error(refusing);
  const eviction = evictionWarning(info);
  if (eviction) warnings.push(`redis ${eviction}`);
}

// Anyone may ask: the answer names which dependency failed, never why (driver errors name hosts, users,
// versions); the reason goes to the log.
const Checks = z.object({
  postgres: z.enum(['ok', 'failed']),
  redis: z.enum(['ok', 'failed']),
  migrations: z.enum(['ok', 'pending', 'failed']),
  /** Not failures, but worth an operator's look (e.g. Redis's eviction policy). */
  warnings: z.array(z.string()).optional(),
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Ready when PostgreSQL and Redis answer, Redis takes connections and the schema is current',
  responses: {
    200: {
      description: 'ready',
      content: { 'application/json': { schema: z.object({ status: z.literal('ready'), checks: Checks }) } },
    },
    503: {
      description: 'a dependency does not answer, Redis refuses connections, or migrations are pending',
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
  // Once current, the schema stays current for this process's life (a new release restarts it).
  let schemaCurrent = false;
  const checkMigrations = async () => {
    if (schemaCurrent) return;
    const pending = await pendingMigrations(deps.orm.em.fork());
    if (pending.length)
      throw new PendingMigrations(`${pending.length} pending: run the release (node src/db/migrate.ts up)`);
    schemaCurrent = true;
  };
  return new OpenAPIHono<AppEnv>()
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const warnings: string[] = [];
      const [postgres, redis, migrations] = await Promise.all([
        probe('postgres', () => deps.orm.em.getConnection().execute('select 1')),
        probe('redis', () => checkRedis(deps.producer.connection, warnings)),
        probe('migrations', checkMigrations),
      ]);
      const failed = { postgres, redis, migrations };
      for (const [name, err] of Object.entries(failed))
        if (err) c.var.log.warn({ check: name, error: { name: err.name, message: err.message } }, 'not ready');
      const checks = {
        postgres: postgres ? ('failed' as const) : ('ok' as const),
        redis: redis ? ('failed' as const) : ('ok' as const),
        migrations: !migrations
          ? ('ok' as const)
          : migrations instanceof PendingMigrations
            ? ('pending' as const)
            : ('failed' as const),
        ...(warnings.length ? { warnings } : {}),
      };
      if (postgres || redis || migrations) return c.json({ status: 'unavailable' as const, checks }, 503);
      return c.json({ status: 'ready' as const, checks }, 200);
    });
}
