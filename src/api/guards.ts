// Request guards that run before any route: the per-IP limits (failed authentication, webhook deliveries)
// and the media type of request bodies. None of them reads a body.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LimitExceeded } from '../lib/limits.ts';
import type { AppEnv } from './env.ts';
import { AppError, errorResponse } from './errors.ts';

const tooMany = (err: LimitExceeded, message: string) =>
  new AppError('TOO_MANY_REQUESTS', message, undefined, { 'Retry-After': String(err.retryAfterSeconds) });

/** Routes nobody authenticates to: never limited here (a health check must not be refused). */
const OPEN = /^\/(healthz|readyz|openapi\.json|docs(\/|$))/;

/**
 * An address with RATE_LIMIT_AUTH_FAILURES_PER_MINUTE failed authentications (any 401) in the current
 * minute gets 429 for the rest of it, whatever it presents. A Redis that does not answer counts in memory.
 */
export function authFailureLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (OPEN.test(c.req.path)) return next();
    const ip = c.var.clientIp ?? 'unknown';
    try {
      await c.var.limits.checkAuthFailures(ip);
    } catch (err) {
      if (!(err instanceof LimitExceeded)) throw err;
      return errorResponse(c, tooMany(err, 'too many failed authentications from this address; try again later'));
    }
    await next();
    // Twilio's refused signature is a 403: a failed credential too.
    const failed = c.res.status === 401 || (c.res.status === 403 && c.req.path.startsWith('/webhooks/'));
    if (failed) await c.var.limits.authFailed(ip).catch(() => false);
  };
}

/** RATE_LIMIT_WEBHOOKS_PER_MINUTE deliveries per address and minute, counted before the credential is checked. */
export function webhookRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      await c.var.limits.webhook(c.var.clientIp ?? 'unknown');
    } catch (err) {
      if (!(err instanceof LimitExceeded)) throw err;
      return errorResponse(c, tooMany(err, 'too many webhook deliveries from this address'));
    }
    await next();
  };
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Bodies of these routes are JSON; the acknowledge link's confirm button posts a form too (Twilio's webhook is a form, not listed). */
const JSON_ROUTES = /^\/(v1\/|admin\/api\/|webhooks\/(supabase\/|vapi$))/;
const FORM_TOO = /^\/v1\/safety\/incidents\/[^/]+\/acknowledge$/;

/** Whether the request carries a body, from its headers (app.request() in tests: from the Request itself). */
function hasBody(c: Context<AppEnv>): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return length !== '0';
  if (c.req.header('transfer-encoding') !== undefined) return true;
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming === undefined && c.req.raw.body !== null;
}

/**
 * A body in another media type than the route takes is 415, naming what it takes (before, the validator
 * ignored such a body and answered 400 for fields it had not read, or ran on defaults). Called once the
 * caller is authenticated (userAuth, serviceAuth, adminAuth, each webhook's credential check), so an
 * unauthenticated request is still 401 whatever it sends. Undefined when the body may go on.
 */
export function unsupportedBody(c: Context<AppEnv>): Response | undefined {
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || !JSON_ROUTES.test(c.req.path) || !hasBody(c)) return;
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (JSON_TYPE.test(type) || (type === FORM_TYPE && FORM_TOO.test(c.req.path))) return;
  return errorResponse(
    c,
    new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `content-type ${type || '(none)'} is not accepted: send application/json${FORM_TOO.test(c.req.path) ? ` or ${FORM_TYPE}` : ''}`,
      [{ field: 'content-type', message: 'must be application/json' }],
    ),
  );
}

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Request bodies above `max` bytes are refused with 413 (a body without a length is read up to `max` to tell). */
export const tooLarge = (max: number): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize: max,
    onError: (c) => errorResponse(c, new AppError('PAYLOAD_TOO_LARGE', `request body over ${max} bytes`)),
  });
