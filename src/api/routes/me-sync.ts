import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { userSync } from '../../queues/user-sync.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { enqueueOnce } from '../enqueue-once.ts';
import { Accepted, ErrorBody } from '../schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/me/sync',
  summary: 'Sync the caller from Supabase Auth now (e.g. right after sign-up or a profile change)',
  description: "A user-sync job fetches the user with the Auth admin API and updates Hearth's copy.",
  security: [{ userToken: [] }],
  responses: {
    202: { description: 'accepted', content: { 'application/json': { schema: Accepted } } },
    401: { description: 'missing, expired or invalid token', content: { 'application/json': { schema: ErrorBody } } },
    403: { description: 'the account has been deleted', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function meSyncRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, userAuth(deps.config));
  return app.openapi(route, async (c) => {
    const { id, sessionId } = c.var.user;
    const payload = { user_id: id, source: 'self_sync' as const, request_id: c.var.requestId, session_id: sessionId };
    // Keyed by the request: a client retrying with the same x-request-id enqueues once.
    const { jobId } = await enqueueOnce(c.var.em, deps.producer, userSync, payload, `self:${id}:${c.var.requestId}`);
    return c.json({ job_id: jobId }, 202);
  });
}
