// PostgreSQL cannot store a NUL character in text or jsonb: a request carrying one would fail deep in a
// write (a 500, or a whole group-commit batch written again item by item). Refuse it up front, with a 400
// naming each field that holds one, for JSON bodies and query strings alike.
import type { MiddlewareHandler } from 'hono';
import { AppError, errorResponse, type ErrorDetail } from './errors.ts';
import type { AppEnv } from './env.ts';

const NUL = '\u0000';

/** Paths (a.b.0.c) of every string, or key, in a parsed JSON value that holds a NUL. */
function nulPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes(NUL) ? [path.join('.') || '(body)'] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(key.includes(NUL) ? [[...path, key.replaceAll(NUL, '\\u0000')].join('.')] : []),
    ...nulPaths(v, [...path, key]),
  ]);
}

export function rejectNulCharacters(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const fields: string[] = [];
    if (c.req.url.includes('%00')) {
      for (const [name, values] of Object.entries(c.req.queries())) if (values.some((v) => v.includes(NUL))) fields.push(name);
    }
    // Only a body that spells the escape can hold one (raw NUL bytes are invalid JSON and fail its parse).
    if (c.req.header('content-type')?.includes('json') && (await c.req.text()).includes('\\u0000')) {
      try {
        fields.push(...nulPaths(await c.req.json()));
      } catch {
        // not JSON: the route's validator answers that
      }
    }
    if (!fields.length) return next();
    const details: ErrorDetail[] = fields.map((field) => ({ field, message: 'must not contain NUL (\\u0000) characters' }));
    return errorResponse(c, new AppError('VALIDATION_FAILED', `invalid request: ${fields.join(', ')}`, details));
  };
}
