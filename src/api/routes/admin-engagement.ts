import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { recomputeEngagement } from '../../queues/recompute-engagement.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';
import { Accepted, ErrorBody } from '../schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/admin/api/engagement/recompute',
  summary: 'Rebuild streaks and XP from the activity history (admin token); reports differences as a system event',
  security: [{ adminToken: [] }],
  request: {
    body: { required: false, content: { 'application/json': { schema: z.object({ user_id: z.uuid().optional() }) } } },
  },
  responses: {
    202: { description: 'accepted', content: { 'application/json': { schema: Accepted } } },
    401: { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function adminEngagementRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, adminAuth(deps.config.ADMIN_TOKEN!));
  return app.openapi(route, async (c) => {
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const jobId = await deps.producer.enqueue(recomputeEngagement, { user_id: body.user_id ?? null });
    return c.json({ job_id: jobId }, 202);
  });
}
