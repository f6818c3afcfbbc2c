import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { User } from '../../entities/user.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

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
    401: { description: 'missing, expired or invalid token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function meRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, userAuth(deps.config));
  return app.openapi(route, async (c) => {
    const { id } = c.var.user;
    const synced = (await c.var.em.count(User, { id, deletedAt: null })) > 0;
    return c.json({ id, synced }, 200);
  });
}
