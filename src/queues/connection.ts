// Redis connections. Producers fail fast (an HTTP request must not hang on a dead Redis); workers
// retry forever (BullMQ requires maxRetriesPerRequest: null for blocking commands).
// `redis+cluster://host1:port1,host2:port2` connects to a Redis Cluster (`rediss+cluster://` over TLS); the
// queue prefix must then carry a hash tag (e.g. `{hearth}`) so each queue's keys share one slot, as BullMQ
// requires.
// TLS (`rediss://`): certificates are verified against Node's public CAs plus REDIS_TLS_CA; with
// REDIS_TLS_REJECT_UNAUTHORIZED=false any certificate is accepted, for this connection only (never
// NODE_TLS_REJECT_UNAUTHORIZED, which would turn verification off for every other outside call too).
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';

const CLUSTER_SCHEME = /^rediss?\+cluster:\/\//;

export const isClusterUrl = (url: string) => CLUSTER_SCHEME.test(url);
const isTlsUrl = (url: string) => /^rediss(\+cluster)?:\/\//.test(url);

export type RedisSettings = Pick<Config, 'REDIS_URL'> &
  Partial<Pick<Config, 'REDIS_TLS_CA' | 'REDIS_TLS_REJECT_UNAUTHORIZED'>>;
/** A URL alone means the defaults: TLS (rediss://) verified against Node's public CAs. */
export type RedisTarget = string | RedisSettings;

const settingsOf = (target: RedisTarget): RedisSettings =>
  typeof target === 'string' ? { REDIS_URL: target } : target;

/** The TLS options of a rediss:// target, undefined for plain redis://. */
export function redisTls(target: RedisTarget): ConnectionOptions | undefined {
  const s = settingsOf(target);
  if (!isTlsUrl(s.REDIS_URL)) return undefined;
  return {
    // REDIS_TLS_CA adds to the public CAs (a `ca` option alone would replace them).
    ...(s.REDIS_TLS_CA ? { ca: [...rootCertificates, s.REDIS_TLS_CA] } : {}),
    rejectUnauthorized: s.REDIS_TLS_REJECT_UNAUTHORIZED ?? true,
  };
}

/** Connection errors surface on the calls that need Redis (and in /readyz); the event itself is not a crash. */
const quiet = <R extends Redis | Cluster>(redis: R) => redis.on('error', () => {}) as R;

function connect(target: RedisTarget, options: RedisOptions): Redis {
  const url = settingsOf(target).REDIS_URL;
  const tls = redisTls(target);
  if (!isClusterUrl(url)) return quiet(new Redis(url, { ...options, ...(tls ? { tls } : {}) }));
  const nodes = url
    .replace(CLUSTER_SCHEME, '')
    .split(',')
    .map((hostPort) => {
      const [host, port] = hostPort.split(':');
      return { host: host!, port: Number(port ?? 6379) };
    });
  const { enableOfflineQueue, retryStrategy, lazyConnect, ...redisOptions } = options;
  const cluster = new Cluster(nodes, {
    redisOptions: { ...redisOptions, ...(tls ? { tls } : {}) },
    // Over TLS the certificate names the host we were given: connect by that name, not a resolved address.
    ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    ...(lazyConnect ? { lazyConnect } : {}),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
  });
  // BullMQ and our code use the commands both clients share; the Cluster type differs only in its extras.
  return quiet(cluster) as unknown as Redis;
}

export function producerConnection(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return connect(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  });
}

export function workerConnection(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return connect(target, {
    maxRetriesPerRequest: null,
    connectTimeout: 10_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...extra,
  });
}
