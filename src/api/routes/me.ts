import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { User } from '../../entities/user.entity.ts';
import { userSync } from '../../queues/user-sync.ts';
import { enqueueOnce } from '../enqueue-once.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { Accepted, ErrorBody } from '../schemas.ts';

const unauthorized = { description: 'missing, expired or invalid token', content: { 'application/json': { schema: ErrorBody } } };
const deleted = { description: 'the account has been deleted', content: { 'application/json': { schema: ErrorBody } } };

const route = createRoute({
  method: 'get',
  path: '/v1/me',
  summary: 'Who the access token belongs to, and whether Hearth has synced that user yet',
  security: [{ userToken: [] }],
  responses: {
    200: {
      description: 'the caller',
      content: { 'application/json': { schema: z.object({ id: z.uuid(), synced: z.boolean() }).openapi('Me') } },
    },
    401: unauthorized,
    403: deleted,
  },
});

const syncRoute = createRoute({
  method: 'post',
  path: '/v1/me/sync',
  summary: 'Sync the caller from Supabase Auth now (e.g. right after sign-up or a profile change)',
  description: 'A user-sync job fetches the user with the Auth admin API and updates Hearth\'s copy.',
  security: [{ userToken: [] }],
  responses: { 202: { description: 'accepted', content: { 'application/json': { schema: Accepted } } }, 401: unauthorized, 403: deleted },
});

export function meRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const auth = userAuth(deps.config);
  app.use(route.path, auth);
  app.use(syncRoute.path, auth);
  return app
    .openapi(route, async (c) => {
      const { id } = c.var.user;
      const synced = (await c.var.em.count(User, { id, deletedAt: null })) > 0;
      return c.json({ id, synced }, 200);
    })
    .openapi(syncRoute, async (c) => {
      const { id, sessionId } = c.var.user;
      const payload = { user_id: id, source: 'self_sync' as const, request_id: c.var.requestId, session_id: sessionId };
      const { jobId } = await enqueueOnce(c.var.em, deps.producer, userSync, payload, `self:${id}:${c.var.requestId}`);
      return c.json({ job_id: jobId }, 202);
    });
}
