// What Redis says about itself (INFO) that decides whether Hearth can run on it: BullMQ needs
// `maxmemory-policy noeviction`, and a Redis at `maxclients` refuses every new connection (a worker's
// blocking connections among them: it then processes nothing).
import type { Redis } from 'ioredis';

export type RedisInfo = Record<string, string>;

export async function redisInfo(redis: Redis, ...sections: string[]): Promise<RedisInfo> {
  const text = await redis.info(...sections);
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

/** A warning when the eviction policy lets Redis drop queue keys, else null. */
export function evictionWarning(info: RedisInfo): string | null {
  const policy = info.maxmemory_policy;
  return policy && policy !== 'noeviction'
    ? `maxmemory-policy is ${policy}: BullMQ needs noeviction (Redis may drop queued jobs)`
    : null;
}

/** Why Redis refuses new connections (every client slot taken), else null. Needs INFO's clients section. */
export function refusingConnections(info: RedisInfo): string | null {
  const connected = Number(info.connected_clients);
  const max = Number(info.maxclients);
  return max > 0 && connected >= max ? `refusing connections: ${connected} of maxclients ${max} in use` : null;
}

/**
 * BullMQ checks the eviction policy on every connection wrapper it builds (each Queue and Worker) and
 * prints the same console line each time, 18-36 times per process. Hearth checks once at boot (a log line)
 * and shows it in /readyz, so that line is dropped; every other console warning passes. (BullMQ's
 * `skipVersionCheck` would silence it too, but also make BullMQ assume Redis 5 and avoid newer commands.)
 */
export function muteRepeatedEvictionWarnings(): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('IMPORTANT! Eviction policy is')) return;
    warn(...args);
  };
}
