// Process entry: `node src/main.ts web|worker|clock` (one Procfile line each), or `all` for local use,
// which also creates the local database if missing and applies migrations first (outside production).
import { configOrExit, DEV_ADMIN_TOKEN, devDefaultsApply, type Config } from './config.ts';
import { initOrm, type Orm } from './db/orm.ts';
import { ensureDatabase } from './db/ensure-database.ts';
import { withMigrationsLock } from './db/release-lock.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createMetrics, serveMetrics } from './lib/metrics.ts';
import { onShutdownSignal } from './lib/shutdown.ts';
import type { Redis } from 'ioredis';
import { isClusterUrl, producerConnection, workerConnection } from './queues/connection.ts';
import { evictionWarning, muteRepeatedEvictionWarnings, redisInfo } from './queues/redis-info.ts';
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
  if (isClusterUrl(url)) return url.replace(/\/\/[^@]*@/, '//');
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
};

/** Certificate failures: the fix is a setting, not a Redis to start. */
const TLS_CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

/** The driver's own reason, with its code (e.g. `self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`). */
const reasonOf = (err: Error & { code?: string }) =>
  `${err.message.split('\n')[0]}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;

/** One ping on a throw-away connection, so a Redis that is away fails the start with the driver's reason. */
async function checkRedis(config: Config, log: Logger): Promise<void> {
  const probe = producerConnection(config, { lazyConnect: true, retryStrategy: () => null });
  let reason: Error | undefined;
  probe.on('error', (err) => {
    reason ??= err;
  });
  try {
    await probe.connect();
    await probe.ping();
    const warning = evictionWarning(await redisInfo(probe, 'memory'));
    if (warning) log.warn({ redis: safeUrl(config.REDIS_URL) }, warning);
  } catch (err) {
    const why = reasonOf((reason ?? err) as Error & { code?: string });
    fail(
      `Redis is not reachable at ${safeUrl(config.REDIS_URL)} (${why}): ${
        TLS_CERT_ERROR.test(why)
          ? 'set REDIS_TLS_CA to its CA, or REDIS_TLS_REJECT_UNAUTHORIZED=false for a self-signed certificate'
          : 'start one (e.g. `redis-server --daemonize yes`) or set REDIS_URL'
      }`,
    );
  } finally {
    probe.disconnect();
  }
}

/**
 * One non-blocking Redis connection per process, shared by every queue, the producer and every worker
 * (each BullMQ Worker adds the one blocking connection it needs): web 1, clock 1, worker 1 + its queues.
 * A process with workers retries commands across a reconnect, as BullMQ requires; the producer still
 * fails fast on a Redis known to be away (it checks the status, and bounds every add with a timeout).
 */
function sharedRedis(config: Config, roles: Role[]): Redis {
  const options = { connectionName: `${config.REDIS_PREFIX}:${roles.join('+')}` };
  return roles.includes('worker') ? workerConnection(config, options) : producerConnection(config, options);
}

async function connect(config: Config, roles: Role[], log: Logger): Promise<{ orm: Orm; producer: Producer }> {
  await checkRedis(config, log);
  let orm: Orm;
  try {
    orm = await initOrm(config);
    await orm.em.getConnection().execute('select 1');
  } catch (err) {
    fail(
      `PostgreSQL is not reachable at ${safeUrl(config.DATABASE_URL)} (${reasonOf(err as Error)}): start it or set DATABASE_URL`,
    );
  }
  log.debug('connected to PostgreSQL and Redis');
  return { orm, producer: new Producer(sharedRedis(config, roles), config.REDIS_PREFIX) };
}

async function main() {
  const started = performance.now();
  const config = configOrExit();
  muteRepeatedEvictionWarnings();
  const args = process.argv.slice(2);
  const roles = parseRoles(args);
  const log = createLogger(config.LOG_LEVEL, { process: roles.join('+') });
  if (config.ADMIN_TOKEN === DEV_ADMIN_TOKEN)
    log.warn(
      { host: config.HOST },
      `ADMIN_TOKEN is not set: NODE_ENV=${config.NODE_ENV} uses the development token (a deployment must set its own)`,
    );

  if (config.REDIS_TLS_REJECT_UNAUTHORIZED === false && /^rediss/.test(config.REDIS_URL))
    log.warn("REDIS_TLS_REJECT_UNAUTHORIZED=false: Redis's TLS certificate is not verified");

  // `npm start` on a developer's machine prepares the local database; a deployment's release phase does
  // that (src/db/migrate.ts, under its lock), never a booting process.
  const local = args.length === 0 || args.includes('all');
  const prepare = local && devDefaultsApply(config);
  if (local && !prepare)
    log.info(
      'a deployment (NODE_ENV neither development nor test): not creating the database or migrating (the release step `node src/db/migrate.ts up` does)',
    );
  if (prepare)
    await ensureDatabase(config, log).catch((err: Error) => fail(`cannot prepare the database: ${err.message}`));
  const { orm, producer } = await connect(config, roles, log);
  if (prepare) {
    const applied = await withMigrationsLock(config, () => orm.migrator.up());
    log.info({ applied: applied.length }, 'migrations applied');
  }

  const metrics = createMetrics();
  const web = roles.includes('web')
    ? await startWeb({ config, orm, producer, log, metrics }, config.PORT, config.HOST)
    : undefined;
  const metricsServer =
    !web && config.METRICS_PORT
      ? await serveMetrics(metrics, config.METRICS_PORT, { host: config.METRICS_HOST, token: config.ADMIN_TOKEN })
      : undefined;
  const workers = roles.includes('worker')
    ? startWorkerRuntime({
        orm,
        producer,
        log,
        registrations: selectRegistrations(config),
        redisUrl: config.REDIS_URL,
        connection: producer.connection,
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
      // A forced worker stop has dropped the shared connection already.
      await producer.connection.quit().catch(() => producer.connection.disconnect());
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
