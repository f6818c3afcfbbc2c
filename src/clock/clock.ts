// The clock process: time-driven work. It relays the outbox and keeps the platform's periodic jobs
// scheduled; user schedules join it later.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import type { Producer } from '../queues/producer.ts';
import { startOutboxRelay } from '../queues/outbox-relay.ts';
import { periodicJobs, upsertPeriodicJobs, type PeriodicJob } from './periodic.ts';
import { startSchedulesTick } from './schedules-tick.ts';

export interface Clock {
  stop(): Promise<void>;
}

export interface ClockDeps {
  config: Config;
  orm: MikroORM;
  producer: Producer;
  log: Logger;
  /** Defaults to every periodic job of the platform. */
  periodic?: readonly PeriodicJob[];
}

export async function startClock(deps: ClockDeps): Promise<Clock> {
  const { config, orm, producer, log } = deps;
  await upsertPeriodicJobs(producer, deps.periodic ?? periodicJobs(config), log);
  const relay = startOutboxRelay({
    em: orm.em,
    producer,
    log: log.child({ component: 'outbox-relay' }),
    intervalMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
  });
  const schedules = startSchedulesTick({
    em: orm.em,
    producer,
    log: log.child({ component: 'schedules' }),
    intervalMs: config.SCHEDULE_TICK_MS,
    batchSize: config.SCHEDULE_BATCH_SIZE,
    claimers: config.SCHEDULE_CLAIMERS,
    enqueue: config.SCHEDULE_ENQUEUE,
  });
  log.info('clock started');
  return { stop: async () => void (await Promise.all([relay.stop(), schedules.stop()])) };
}
