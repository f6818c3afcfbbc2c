import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { FilterQuery } from '@mikro-orm/core';
import { EVENT_CATEGORIES, SEVERITIES } from '../../domain/enums.ts';
import { SystemEvent } from '../../entities/system-event.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const Query = z.object({
  category: z.enum(EVENT_CATEGORIES).optional(),
  type: z.string().max(100).optional(),
  severity: z.enum(SEVERITIES).optional(),
  user_id: z.uuid().optional(),
  /** Cursor: events strictly older than this instant (the previous page's next_before). */
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const Event = z.object({
  id: z.uuid(),
  user_id: z.uuid().nullable(),
  event_type: z.string(),
  event_category: z.string(),
  severity: z.string(),
  event_data: z.record(z.string(), z.unknown()),
  session_id: z.string().nullable(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: z.iso.datetime(),
});

const route = createRoute({
  method: 'get',
  path: '/admin/api/events',
  summary: 'The audit trail (system_events), newest first, filtered and paged (admin token)',
  security: [{ adminToken: [] }],
  request: { query: Query },
  responses: {
    200: {
      description: 'a page',
      content: {
        'application/json': { schema: z.object({ events: z.array(Event), next_before: z.iso.datetime().nullable() }) },
      },
    },
    400: { description: 'invalid filter', content: { 'application/json': { schema: ErrorBody } } },
    401: { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function adminEventRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, adminAuth(deps.config.ADMIN_TOKEN!));
  return app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const where: FilterQuery<SystemEvent> = {
      ...(q.category ? { eventCategory: q.category } : {}),
      ...(q.type ? { eventType: q.type } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.user_id ? { user: q.user_id } : {}),
      ...(q.before ? { createdAt: { $lt: new Date(q.before) } } : {}),
    };
    const rows = await c.var.em.find(SystemEvent, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: q.limit,
    });
    const events = rows.map((e) => ({
      id: e.id,
      user_id: e.user?.id ?? null,
      event_type: e.eventType,
      event_category: e.eventCategory,
      severity: e.severity,
      event_data: e.eventData,
      session_id: e.sessionId ?? null,
      ip_address: e.ipAddress ?? null,
      user_agent: e.userAgent ?? null,
      created_at: e.createdAt.toISOString(),
    }));
    return c.json({ events, next_before: rows.length === q.limit ? events.at(-1)!.created_at : null }, 200);
  });
}
