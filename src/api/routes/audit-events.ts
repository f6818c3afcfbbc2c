import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { User } from '../../entities/user.entity.ts';
import { EVENT_CATEGORIES, SEVERITIES } from '../../domain/enums.ts';
import { auditEvent, auditEventData } from '../../queues/audit-event.ts';
import { OutboxWriter } from '../../queues/outbox-writer.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { fieldError } from '../errors.ts';
import { serviceAuth } from '../auth.ts';
import { ErrorBody, Accepted } from '../schemas.ts';

const AuditEventBody = z
  .object({
    user_id: z.uuid().optional(),
    event_type: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9_.:-]+$/i, 'letters, digits and _ . : - only'),
    event_category: z.enum(EVENT_CATEGORIES),
    severity: z.enum(SEVERITIES),
    event_data: auditEventData.default({}),
  })
  .openapi('AuditEvent');

const route = createRoute({
  method: 'post',
  path: '/v1/audit-events',
  summary: 'Record an audit event (service key)',
  description: 'Stored durably with its job (outbox) and written to system_events by the audit-event worker.',
  security: [{ serviceKey: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: AuditEventBody } } } },
  responses: {
    202: { description: 'accepted', content: { 'application/json': { schema: Accepted } } },
    400: { description: 'invalid input', content: { 'application/json': { schema: ErrorBody } } },
    401: { description: 'no valid service key', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function auditEventRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, serviceAuth(deps.config.SERVICE_API_KEYS));
  // The job is the request's only write: group commit makes a burst of events a few INSERTs.
  const outbox = new OutboxWriter(deps.orm.em, deps.producer);
  return app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    if (body.user_id && !(await c.var.em.count(User, { id: body.user_id })))
      throw fieldError('user_id', 'no such user');
    const { id } = await outbox.enqueue(auditEvent, {
      ...body,
      user_id: body.user_id ?? null,
      request_id: c.var.requestId,
    });
    return c.json({ job_id: id }, 202);
  });
}
