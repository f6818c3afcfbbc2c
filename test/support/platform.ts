// Builds the real platform pieces against this run's database and a Redis key prefix of the test file's
// own, so test files running in parallel never consume each other's jobs.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { initOrm, type Orm } from '../../src/db/orm.ts';
import { createApp } from '../../src/api/app.ts';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import { producerConnection } from '../../src/queues/connection.ts';
import { Producer } from '../../src/queues/producer.ts';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/workers/runtime.ts';
import { registrations } from '../../src/workers/processors.ts';
import type { Registration } from '../../src/workers/context.ts';

export interface TestPlatform {
  config: Config;
  orm: Orm;
  producer: Producer;
  log: Logger;
  app: ReturnType<typeof createApp>;
  startWorkers(
    regs?: readonly Registration[],
    extra?: { lockDurationMs?: number; stalledIntervalMs?: number },
  ): WorkerRuntime;
  close(): Promise<void>;
}

/** A unique key prefix under this run's prefix (the global teardown deletes everything under it). */
export const uniquePrefix = () => `${inject('redisPrefix')}-${randomBytes(4).toString('hex')}`;

export async function createTestPlatform(
  env: Record<string, string> = {},
  opts: { logTo?: DestinationStream } = {},
): Promise<TestPlatform> {
  const config = loadConfig({ ...process.env, REDIS_PREFIX: uniquePrefix(), ...env });
  const orm = await initOrm(config);
  const producer = new Producer(producerConnection(config.REDIS_URL), config.REDIS_PREFIX);
  const log = createLogger(opts.logTo ? 'trace' : config.LOG_LEVEL, {}, opts.logTo);
  const runtimes: WorkerRuntime[] = [];
  return {
    config,
    orm,
    producer,
    log,
    app: createApp({ config, orm, producer, log }),
    startWorkers(regs = registrations, extra = {}) {
      const runtime = startWorkerRuntime({
        orm,
        producer,
        log,
        registrations: regs,
        redisUrl: config.REDIS_URL,
        prefix: config.REDIS_PREFIX,
        concurrency: 2,
        ...extra,
      });
      runtimes.push(runtime);
      return runtime;
    },
    async close() {
      await Promise.all(runtimes.map((r) => r.close(2_000)));
      await producer.close();
      producer.connection.disconnect();
      await orm.close();
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A processor context on a fresh fork, for calling a processor directly (no Redis round trip). */
export function jobContext(platform: TestPlatform, queue: string, jobId = randomBytes(6).toString('hex'), attempt = 1) {
  return { em: platform.orm.em.fork(), log: platform.log, queue, jobId, attempt, producer: platform.producer };
}
