// PostgreSQL cannot store a NUL character in text or jsonb, and a lone UTF-16 surrogate is not Unicode
// at all (jsonb refuses it; a text column would silently store U+FFFD instead). A request carrying either
// would fail deep in a write (a 500, or a group-commit batch written again item by item) or change what
// the user sent. Refuse it up front, with a 400 naming each field, for JSON bodies and query strings.
import type { MiddlewareHandler } from 'hono';
import { AppError, errorResponse, type ErrorDetail } from './errors.ts';
import type { AppEnv } from './env.ts';

const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();
/** Only a body that spells one of these escapes can hold such a string (raw bytes either fail JSON or UTF-8 decoding). */
const SUSPECT_ESCAPE = /\\u(0000|[dD][89a-fA-F])/;

/** Paths (a.b.0.c) of every string, or key, in a parsed JSON value that PostgreSQL cannot store as sent. */
function unstorablePaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return storable(value) ? [] : [path.join('.') || '(body)'];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(storable(key) ? [] : [[...path, JSON.stringify(key).slice(1, -1)].join('.')]),
    ...unstorablePaths(v, [...path, key]),
  ]);
}

export function rejectUnstorableText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const fields: string[] = [];
    if (c.req.url.includes('%')) {
      for (const [name, values] of Object.entries(c.req.queries())) if (!values.every(storable)) fields.push(name);
    }
    if (c.req.header('content-type')?.includes('json') && SUSPECT_ESCAPE.test(await c.req.text())) {
      try {
        fields.push(...unstorablePaths(await c.req.json()));
      } catch {
        // not JSON: the route's validator answers that
      }
    }
    if (!fields.length) return next();
    const details: ErrorDetail[] = fields.map((field) => ({
      field,
      message: 'must be Unicode text without NUL (\\u0000) characters',
    }));
    return errorResponse(c, new AppError('VALIDATION_FAILED', `invalid request: ${fields.join(', ')}`, details));
  };
}
