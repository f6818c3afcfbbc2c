// One error shape for every failure: { error: { code, message, details?, request_id } }.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { describeError, isDatabaseUnavailable } from '../lib/errors.ts';
import { QueueUnavailableError } from '../queues/producer.ts';
import type { AppEnv } from './env.ts';

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'GONE'
  | 'ACCOUNT_ERASED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  ACCOUNT_ERASED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Response headers that go with the error (Retry-After on a 429). */
  readonly headers?: Record<string, string>;
  constructor(code: ErrorCode, message: string, details?: ErrorDetail[], headers?: Record<string, string>) {
    super(message);
    this.code = code;
    if (details) this.details = details;
    if (headers) this.headers = headers;
  }
  get status() {
    return STATUS[this.code];
  }
}

export const fieldError = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, [{ field, message }]);

export function errorResponse(c: Context<AppEnv>, err: AppError, headers?: Record<string, string>) {
  const body = {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      request_id: c.get('requestId'),
    },
  };
  return c.json(body, err.status, { ...err.headers, ...headers });
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

/** The validation hook for every route: 400 naming each bad field. */
export function validationHook(result: { success: boolean; error?: ZodError }, c: Context<AppEnv>) {
  if (result.success || !result.error) return undefined;
  const details = zodDetails(result.error);
  return errorResponse(
    c,
    new AppError('VALIDATION_FAILED', `invalid request: ${details.map((d) => d.field).join(', ')}`, details),
  );
}

export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof AppError) return errorResponse(c, err);
  if (isDatabaseUnavailable(err)) {
    c.get('log')?.warn({ error: describeError(err) }, 'database unavailable');
    return errorResponse(c, new AppError('UNAVAILABLE', 'the database is unavailable; try again shortly'), {
      'Retry-After': '5',
    });
  }
  if (err instanceof QueueUnavailableError) {
    c.get('log')?.warn({ error: describeError(err) }, 'queue unavailable');
    return errorResponse(c, new AppError('UNAVAILABLE', 'the job queue is unavailable; try again shortly'), {
      'Retry-After': '5',
    });
  }
  if (err instanceof HTTPException) {
    const code: ErrorCode =
      err.status === 401
        ? 'UNAUTHORIZED'
        : err.status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : err.status === 404
            ? 'NOT_FOUND'
            : 'BAD_REQUEST';
    return errorResponse(c, new AppError(code, err.message || code.toLowerCase()));
  }
  c.get('log')?.error({ error: describeError(err) }, 'unhandled error');
  return errorResponse(c, new AppError('INTERNAL', 'internal error'));
}

export const notFound = (c: Context<AppEnv>) =>
  errorResponse(c, new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));
