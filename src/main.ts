// Process entry: `node src/main.ts web|worker|clock` (one Procfile line each), or `all` for local use,
// which also creates the local database if missing and applies migrations first.
import { configOrExit, DEV_ADMIN_TOKEN, type Config } from './config.ts';
import { initOrm, type Orm } from './db/orm.ts';
import { ensureDatabase } from './db/ensure-database.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createMetrics, serveMetrics } from './lib/metrics.ts';
import { onShutdownSignal } from './lib/shutdown.ts';
import { producerConnection } from './queues/connection.ts';
import { Producer } from './queues/producer.ts';
import { startWeb } from './api/server.ts';
import { startClock } from './clock/clock.ts';
import { startWorkerRuntime } from './workers/runtime.ts';
import { registrations } from './workers/processors.ts';

const ROLES = ['web', 'worker', 'clock'] as const;
type Role = (typeof ROLES)[number];

function fail(message: string): never {
  process.stderr.write(`hearth: ${message}\n`);
  process.exit(1);
}

function parseRoles(args: string[]): Role[] {
  if (args.length === 0 || args.includes('all')) return [...ROLES];
  const unknown = args.filter((a) => !(ROLES as readonly string[]).includes(a));
  if (unknown.length) fail(`unknown process ${unknown.join(', ')}: use web, worker, clock or all`);
  return args as Role[];
}

const safeUrl = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
};

async function connect(config: Config, log: Logger): Promise<{ orm: Orm; producer: Producer }> {
  const redis = producerConnection(config.REDIS_URL, { lazyConnect: true, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    redis.disconnect();
    fail(
      `Redis is not reachable at ${safeUrl(config.REDIS_URL)}: start one (e.g. \`redis-server --daemonize yes\`) or set REDIS_URL`,
    );
  }
  redis.disconnect();
  let orm: Orm;
  try {
    orm = await initOrm(config);
    await orm.em.getConnection().execute('select 1');
  } catch (err) {
    fail(
      `PostgreSQL is not reachable at ${safeUrl(config.DATABASE_URL)} (${(err as Error).message}): start it or set DATABASE_URL`,
    );
  }
  log.debug('connected to PostgreSQL and Redis');
  return { orm, producer: new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX) };
}

async function main() {
  const started = performance.now();
  const config = configOrExit();
  const args = process.argv.slice(2);
  const roles = parseRoles(args);
  const log = createLogger(config.LOG_LEVEL, { process: roles.join('+') });
  if (config.ADMIN_TOKEN === DEV_ADMIN_TOKEN)
    log.warn('ADMIN_TOKEN is not set: using the development token (never in production)');

  const local = args.length === 0 || args.includes('all');
  if (local)
    await ensureDatabase(config.DATABASE_URL, log).catch((err: Error) =>
      fail(`cannot prepare the database: ${err.message}`),
    );
  const { orm, producer } = await connect(config, log);
  if (local) {
    const applied = await orm.migrator.up();
    log.info({ applied: applied.length }, 'migrations applied');
  }

  const metrics = createMetrics();
  const web = roles.includes('web') ? await startWeb({ config, orm, producer, log, metrics }, config.PORT) : undefined;
  const metricsServer = !web && config.METRICS_PORT ? await serveMetrics(metrics, config.METRICS_PORT) : undefined;
  const workers = roles.includes('worker')
    ? startWorkerRuntime({
        orm,
        producer,
        log,
        registrations: selectRegistrations(config),
        redisUrl: config.REDIS_URL,
        prefix: config.REDIS_PREFIX,
        concurrency: config.WORKER_CONCURRENCY,
        lockDurationMs: config.WORKER_LOCK_MS,
        stalledIntervalMs: config.WORKER_STALLED_CHECK_MS,
        metrics,
      })
    : undefined;
  const clock = roles.includes('clock') ? await startClock({ config, orm, producer, log }) : undefined;
  log.info({ roles, ms: Math.round(performance.now() - started) }, 'hearth ready');

  onShutdownSignal(
    log,
    async () => {
      await web?.stop();
      metricsServer?.close();
      await clock?.stop();
      const result = await workers?.close(config.SHUTDOWN_TIMEOUT_MS);
      if (result?.forced) log.warn('some jobs were released unfinished; they run again after their lock expires');
      await producer.close();
      await producer.connection.quit();
      await orm.close();
    },
    config.SHUTDOWN_TIMEOUT_MS + STOP_MARGIN_MS,
  );
}

/** Beyond the jobs' own SHUTDOWN_TIMEOUT_MS: time to stop the API and clock and close the connections. */
const STOP_MARGIN_MS = 5_000;

function selectRegistrations(config: Config) {
  if (config.WORKER_QUEUES.length === 0) return registrations;
  const known = new Set(registrations.map((r) => r.job.name));
  const unknown = config.WORKER_QUEUES.filter((q) => !known.has(q));
  if (unknown.length) fail(`WORKER_QUEUES: unknown queue ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return registrations.filter((r) => config.WORKER_QUEUES.includes(r.job.name));
}

await main();
