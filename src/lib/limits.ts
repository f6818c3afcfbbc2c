// Abuse limits, counted in Redis with rate-limiter-flexible on the process's shared connection, so every web
// process shares one count. Two kinds:
// - per-user quotas on what reaches people or costs money (calls, reminder schedules, alerts, exports,
//   confirmation codes): N per 24 hours, the window opened by the first one;
// - per-IP limits per minute on webhook deliveries and on failed authentication.
// When Redis does not answer (away, or hung: LIMIT_TIMEOUT_MS), each limiter falls back to a per-process
// in-memory count (the library's insurance limiter): a Redis outage must never stop a crisis alert or hold a
// request, and it does not switch the limits off.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';

export const QUOTAS = ['calls', 'reminders', 'alerts', 'exports', 'destination_codes'] as const;
export type QuotaName = (typeof QUOTAS)[number];

const DAY_SECONDS = 24 * 3600;
/** A limiter call Redis has not answered by then counts in memory instead. */
const LIMIT_TIMEOUT_MS = 250;

type Limiter = RLWrapperTimeouts;

export type LimitsConfig = Pick<
  Config,
  | 'QUOTA_CALLS_PER_DAY'
  | 'QUOTA_REMINDERS_PER_DAY'
  | 'QUOTA_ALERTS_PER_DAY'
  | 'QUOTA_EXPORTS_PER_DAY'
  | 'QUOTA_DESTINATION_CODES_PER_DAY'
  | 'RATE_LIMIT_WEBHOOKS_PER_MINUTE'
  | 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE'
>;

export const quotaPerDay = (config: LimitsConfig): Record<QuotaName, number> => ({
  calls: config.QUOTA_CALLS_PER_DAY,
  reminders: config.QUOTA_REMINDERS_PER_DAY,
  alerts: config.QUOTA_ALERTS_PER_DAY,
  exports: config.QUOTA_EXPORTS_PER_DAY,
  destination_codes: config.QUOTA_DESTINATION_CODES_PER_DAY,
});

/** The Redis key prefix of one quota (the user id follows after a colon): erasure deletes the user's. */
export const quotaKeyPrefix = (prefix: string, quota: QuotaName) => `${prefix}:quota:${quota}`;

/** A limit was reached: wait `retryAfterSeconds`. */
export class LimitExceeded extends Error {
  override name = 'LimitExceeded';
  readonly retryAfterSeconds: number;
  constructor(what: string, msBeforeNext: number) {
    super(what);
    this.retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  }
}

function limiter(redis: Redis, keyPrefix: string, points: number, duration: number): Limiter {
  const store = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    // ioredis with enableOfflineQueue off rejects at once while Redis is away: count in memory meanwhile.
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
  return new RLWrapperTimeouts({ limiter: store, timeoutMs: LIMIT_TIMEOUT_MS });
}

/** Consumes one point; throws LimitExceeded when none is left. Other errors (none expected) propagate. */
async function take(l: Limiter, key: string, what: string): Promise<RateLimiterRes> {
  try {
    return await l.consume(key, 1);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new LimitExceeded(what, err.msBeforeNext);
    throw err;
  }
}

export interface Limits {
  /** One more of `quota` for this user, or LimitExceeded. */
  quota(name: QuotaName, userId: string): Promise<void>;
  /** One more webhook delivery from this address, or LimitExceeded. */
  webhook(ip: string): Promise<void>;
  /** LimitExceeded when this address has failed authentication too often in the current minute. */
  checkAuthFailures(ip: string): Promise<void>;
  /** Counts a failed authentication; true when it is the first of this address in the window. */
  authFailed(ip: string): Promise<boolean>;
  /** Whether a rejected-credential audit row may be written now: the first per address and minute, at most 60 a minute in all. */
  sampleRejection(ip: string): Promise<boolean>;
  /** Forgets a user's quota counts (erasure). */
  forgetUser(userId: string): Promise<void>;
}

export function createLimits(redis: Redis, prefix: string, config: LimitsConfig): Limits {
  const perDay = quotaPerDay(config);
  const quotas = Object.fromEntries(
    QUOTAS.map((q) => [q, limiter(redis, quotaKeyPrefix(prefix, q), perDay[q], DAY_SECONDS)]),
  ) as Record<QuotaName, Limiter>;
  const webhooks = limiter(redis, `${prefix}:rate:webhooks`, config.RATE_LIMIT_WEBHOOKS_PER_MINUTE, 60);
  const authFailures = limiter(redis, `${prefix}:rate:auth-failures`, config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, 60);
  const auditPerIp = limiter(redis, `${prefix}:rate:rejection-audit`, 1, 60);
  const auditAll = limiter(redis, `${prefix}:rate:rejection-audit-all`, 60, 60);
  return {
    async quota(name, userId) {
      await take(quotas[name], userId, `${name.replace('_', ' ')}: at most ${perDay[name]} per 24 hours`);
    },
    async webhook(ip) {
      await take(webhooks, ip, 'webhook rate limit');
    },
    async checkAuthFailures(ip) {
      const seen = await authFailures.get(ip);
      if (seen && seen.consumedPoints >= config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE)
        throw new LimitExceeded('too many failed authentications', seen.msBeforeNext);
    },
    async authFailed(ip) {
      // Counted even past the limit (the limiter rejects then): the window keeps running.
      const res = await authFailures.penalty(ip, 1);
      return res.consumedPoints === 1;
    },
    async sampleRejection(ip) {
      try {
        await auditPerIp.consume(ip, 1);
        await auditAll.consume('all', 1);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
    async forgetUser(userId) {
      await Promise.all(QUOTAS.map((q) => quotas[q].delete(userId)));
    },
  };
}
