// Per-user quotas on what reaches people or costs money (src/lib/limits.ts; README "Limits"): a request
// past its quota is 429 with Retry-After (seconds until the 24-hour window ends) and changes nothing.
import type { Context } from 'hono';
import { LimitExceeded, type QuotaName } from '../lib/limits.ts';
import type { AppEnv } from './env.ts';
import { AppError } from './errors.ts';
import { ErrorBody } from './schemas.ts';

/** Takes one of the user's `quota`, or throws the 429. */
export async function useQuota(c: Context<AppEnv>, quota: QuotaName, userId: string, hint = ''): Promise<void> {
  try {
    await c.var.limits.quota(quota, userId);
  } catch (err) {
    if (!(err instanceof LimitExceeded)) throw err;
    throw new AppError('TOO_MANY_REQUESTS', `quota reached (${err.message})${hint}`, undefined, {
      'Retry-After': String(err.retryAfterSeconds),
    });
  }
}

/** The OpenAPI entry of a quota's 429. */
export const quotaResponse = (what: string) => ({
  429: {
    description: `${what} quota reached (README "Limits"); Retry-After says when to try again`,
    content: { 'application/json': { schema: ErrorBody } },
  },
});
