// The clock process: time-driven work. Today it relays the outbox; schedules join it later.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import type { Producer } from '../queues/producer.ts';
import { startOutboxRelay } from '../queues/outbox-relay.ts';

export interface Clock {
  stop(): Promise<void>;
}

export function startClock(deps: { config: Config; orm: MikroORM; producer: Producer; log: Logger }): Clock {
  const relay = startOutboxRelay({
    em: deps.orm.em,
    producer: deps.producer,
    log: deps.log.child({ component: 'outbox-relay' }),
    intervalMs: deps.config.OUTBOX_POLL_MS,
    batchSize: deps.config.OUTBOX_BATCH_SIZE,
  });
  deps.log.info('clock started');
  return { stop: () => relay.stop() };
}
