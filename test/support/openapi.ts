// The operations the app's OpenAPI document declares, for tests that must cover every route (a route added
// later is covered the day it lands).
import type { App } from '../../src/api/app.ts';

export interface Operation {
  method: string;
  path: string;
  /** The first security scheme (the one to call it with), if any. */
  security: string | undefined;
  /** Every scheme that may call it. */
  schemes: string[];
  hasBody: boolean;
  /** The request body's media type, when it has one. */
  bodyType: string | undefined;
  /** Documented response statuses. */
  responses: string[];
}

interface DocOperation {
  security?: Record<string, unknown>[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
}

export async function operations(app: App): Promise<Operation[]> {
  const doc = await (await app.request('/openapi.json')).json();
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, DocOperation>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      ops.push({
        method: method.toUpperCase(),
        path,
        security: schemes[0],
        schemes,
        hasBody: Boolean(op.requestBody),
        bodyType: Object.keys(op.requestBody?.content ?? {})[0],
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return ops;
}

/** Method and path (`{id}` style) of every route the app serves, middleware (`ALL`) left out. */
export const servedRoutes = (app: App) => [
  ...new Set(
    app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
  ),
];
