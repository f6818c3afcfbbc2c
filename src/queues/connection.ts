// Redis connections. Producers fail fast (an HTTP request must not hang on a dead Redis); workers
// retry forever (BullMQ requires maxRetriesPerRequest: null for blocking commands).
import { Redis, type RedisOptions } from 'ioredis';

/** Connection errors surface on the calls that need Redis (and in /readyz); the event itself is not a crash. */
const quiet = (redis: Redis) => redis.on('error', () => {});

export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return quiet(new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  }));
}

export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  return quiet(new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...extra,
  }));
}
