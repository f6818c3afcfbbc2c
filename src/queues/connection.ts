// Redis connections. Producers fail fast (an HTTP request must not hang on a dead Redis); workers
// retry forever (BullMQ requires maxRetriesPerRequest: null for blocking commands).
// `redis+cluster://host1:port1,host2:port2` connects to a Redis Cluster; the queue prefix must then carry a
// hash tag (e.g. `{hearth}`) so each queue's keys share one slot, as BullMQ requires.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

const CLUSTER_SCHEME = 'redis+cluster://';

export const isClusterUrl = (url: string) => url.startsWith(CLUSTER_SCHEME);

/** Connection errors surface on the calls that need Redis (and in /readyz); the event itself is not a crash. */
const quiet = <R extends Redis | Cluster>(redis: R) => redis.on('error', () => {}) as R;

function connect(url: string, options: RedisOptions): Redis {
  if (!isClusterUrl(url)) return quiet(new Redis(url, options));
  const nodes = url
    .slice(CLUSTER_SCHEME.length)
    .split(',')
    .map((hostPort) => {
      const [host, port] = hostPort.split(':');
      return { host: host!, port: Number(port ?? 6379) };
    });
  const { enableOfflineQueue, retryStrategy, lazyConnect, ...redisOptions } = options;
  const cluster = new Cluster(nodes, {
    redisOptions,
    ...(lazyConnect ? { lazyConnect } : {}),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
  });
  // BullMQ and our code use the commands both clients share; the Cluster type differs only in its extras.
  return quiet(cluster) as unknown as Redis;
}

export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return connect(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  });
}

export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  return connect(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...extra,
  });
}
