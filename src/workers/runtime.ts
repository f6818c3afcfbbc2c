// The worker runtime: one BullMQ Worker per registered job type, each job with its own forked
// EntityManager and a logger carrying queue, job id and attempt (never payload content).
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.ts';
import type { Producer } from '../queues/producer.ts';
import { workerConnection } from '../queues/connection.ts';
import type { Registration } from './context.ts';
import { recordSystemEvent } from '../db/system-events.ts';
import { describeError } from '../lib/errors.ts';
import type { Metrics } from '../lib/metrics.ts';

export interface WorkerRuntimeOptions {
  orm: MikroORM;
  producer: Producer;
  log: Logger;
  redisUrl: string;
  /**
   * The process's shared non-blocking connection, used by every Worker (each adds its own blocking one, as
   * BullMQ needs); the caller closes it. Without it the runtime opens one of its own from `redisUrl`.
   */
  connection?: Redis;
  prefix: string;
  registrations: readonly Registration[];
  /** Jobs per queue at once, for job types whose contract sets no concurrency of its own. */
  concurrency: number;
  /** How long a job may hold its lock before BullMQ treats it as stalled (its worker died). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  metrics?: Metrics;
}

export interface WorkerRuntime {
  workers: Worker[];
  /** Stops taking jobs, lets jobs in hand finish for up to `timeoutMs`, then lets go of the rest. */
  close(timeoutMs: number): Promise<{ forced: boolean }>;
}

/**
 * How many times a job whose worker died mid-run (kill -9, OOM, a lost lock) is handed to another worker
 * before it fails for good. BullMQ's default of 1 failed check-ups and calls permanently when two crashes
 * in a row caught the same job (chaos kill9: 10 of 300 check-ups, 4 of 200 calls). A job that kills every
 * worker that takes it still fails, after this many, and shows on the board.
 */
const MAX_STALLS = 5;

export function startWorkerRuntime(opts: WorkerRuntimeOptions): WorkerRuntime {
  const connection = opts.connection ?? workerConnection(opts.redisUrl);
  const workers = opts.registrations.map((registration) => startWorker(registration, connection, opts));
  opts.log.info(
    { concurrency: Object.fromEntries(workers.map((w) => [w.name, w.opts.concurrency])) },
    'workers started',
  );
  return {
    workers,
    async close(timeoutMs) {
      const graceful = Promise.all(workers.map((w) => w.close())).then(() => false);
      const timedOut = new Promise<boolean>((r) => setTimeout(r, timeoutMs, true).unref());
      const forced = await Promise.race([graceful, timedOut]);
      if (forced) {
        // BullMQ's close() waits for running jobs even when forced; drop the connections instead. The
        // jobs still in hand lose their lock when it expires, and another worker runs them again.
        opts.log.warn({ timeoutMs }, 'shutdown timeout: releasing jobs still in hand');
        for (const w of workers) void w.disconnect().catch(() => {});
        connection.disconnect();
      } else if (!opts.connection) {
        // BullMQ does not close a connection it was handed.
        await connection.quit().catch(() => connection.disconnect());
      }
      return { forced };
    },
  };
}

function startWorker(
  { job, process, workerOptions }: Registration,
  connection: Redis,
  opts: WorkerRuntimeOptions,
): Worker {
  const handler = async (bullJob: Job) => {
    const jobId = bullJob.id!;
    const attempt = bullJob.attemptsMade + 1;
    const maxAttempts = bullJob.opts.attempts ?? 1;
    const log = opts.log.child({ queue: job.name, jobId, attempt });
    const started = performance.now();
    try {
      const parsed = job.schema.safeParse(bullJob.data);
      if (!parsed.success) {
        // A bad payload never gets better by retrying.
        throw new UnrecoverableError(
          `invalid payload at ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        );
      }
      const em = opts.orm.em.fork();
      const result = await process(parsed.data, { em, log, queue: job.name, jobId, attempt, producer: opts.producer });
      const ms = performance.now() - started;
      log.info({ ms: Math.round(ms) }, 'job completed');
      opts.metrics?.jobDuration.observe({ queue: job.name, outcome: 'completed' }, ms / 1000);
      return result;
    } catch (err) {
      const final = err instanceof UnrecoverableError || attempt >= maxAttempts;
      const error = describeError(err);
      opts.metrics?.jobDuration.observe(
        { queue: job.name, outcome: final ? 'failed' : 'retry' },
        (performance.now() - started) / 1000,
      );
      if (!final) {
        log.warn({ error, ms: Math.round(performance.now() - started) }, 'job failed; will retry');
      } else {
        log.error({ error }, 'job failed for good');
        await recordSystemEvent(opts.orm.em.fork(), `job-failed:${job.name}:${jobId}`, {
          userId: null,
          eventType: 'job_failed',
          eventCategory: 'jobs',
          severity: 'error',
          eventData: { queue: job.name, job_id: jobId, attempts: attempt, error: error.name, message: error.message },
        }).catch((recordErr) => log.error({ error: describeError(recordErr) }, 'could not record the failed job'));
      }
      throw err;
    }
  };

  const worker = new Worker(job.name, handler, {
    connection,
    prefix: opts.prefix,
    concurrency: job.concurrency ?? opts.concurrency,
    ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    maxStalledCount: MAX_STALLS,
    ...workerOptions?.(),
  });
  worker.on('error', (err) => opts.log.error({ queue: job.name, error: describeError(err) }, 'worker error'));
  return worker;
}
