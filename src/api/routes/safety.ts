// POST /v1/safety/alerts ("I need help": user token, or service key + user_id) → 202 with the incident;
// POST /v1/safety/incidents/:id/acknowledge (the user, an internal contact, or an external contact's
// signed link) stops escalation. GET on the link shows a confirm button: link previewers in messaging
// apps fetch links, and a fetch must never acknowledge an incident on a person's behalf.
import { randomUUID } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { OUTREACH_LEVELS } from '../../domain/enums.ts';
import type { SafetyIncident } from '../../entities/safety-incident.entity.ts';
import { enqueueInTransaction } from '../../queues/producer.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { safetyOutreach } from '../../queues/safety-outreach.ts';
import { acknowledgeIncident, type Acknowledger } from '../../safety/acknowledge.ts';
import { contactFromAckToken } from '../../safety/ack-link.ts';
import { openOrJoinIncident } from '../../safety/incidents.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv, AuthenticatedUser } from '../env.ts';
import { secretMatches, userAuth } from '../auth.ts';
import { unsupportedBody } from '../guards.ts';
import { AppError, fieldError } from '../errors.ts';
import { ErrorBody } from '../schemas.ts';
import { quotaResponse, useQuota } from '../quotas.ts';

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });
const AlertBody = z
  .object({
    user_id: z.uuid().optional().openapi({ description: 'With a service key only: whose alert it is' }),
    reason: z.string().trim().max(500).optional().openapi({ description: 'For the operator; never sent to contacts' }),
    crisis_level: z
      .enum(OUTREACH_LEVELS)
      .optional()
      .openapi({ description: 'Default critical; a manual alert is an emergency either way' }),
  })
  .strict()
  .openapi('SafetyAlert');
const IncidentStatus = z
  .object({
    incident_id: z.uuid(),
    status: z.string(),
    outcome: z.string().optional(),
    acknowledged_at: z.string().nullable().optional(),
  })
  .openapi('SafetyIncidentStatus');
const AckQuery = z.object({ token: z.string().max(200).optional() });

// A literal array of two schemes defeats @hono/zod-openapi's input typing; widened, it does not.
const EITHER_AUTH: Record<string, string[]>[] = [{ userToken: [] }, { serviceKey: [] }];
const alert = createRoute({
  method: 'post',
  path: '/v1/safety/alerts',
  tags: ['safety'],
  security: EITHER_AUTH,
  summary: "Raise a manual alert: always an emergency; opens (or joins) the user's incident",
  request: { body: { required: true, content: { 'application/json': { schema: AlertBody } } } },
  responses: {
    202: { description: 'outreach under way', ...json(IncidentStatus) },
    400: { description: 'invalid input', ...json(ErrorBody) },
    401: { description: 'unauthenticated', ...json(ErrorBody) },
    404: { description: 'no such user', ...json(ErrorBody) },
    ...quotaResponse('alerts (user tokens only)'),
  },
});
const acknowledge = createRoute({
  method: 'post',
  path: '/v1/safety/incidents/{id}/acknowledge',
  tags: ['safety'],
  security: [{ userToken: [] }, { acknowledgeLink: [] }] as Record<string, string[]>[],
  summary:
    'Acknowledge an incident (stops escalation): user token of the user or an internal contact, or ?token= from the link',
  request: { params: z.object({ id: z.uuid() }), query: AckQuery },
  responses: {
    200: { description: 'acknowledged', ...json(IncidentStatus) },
    401: { description: 'unauthenticated', ...json(ErrorBody) },
    403: { description: 'invalid link', ...json(ErrorBody) },
    404: { description: 'no such incident of yours', ...json(ErrorBody) },
  },
});

const status = (i: SafetyIncident, outcome?: string) => ({
  incident_id: i.id,
  status: i.status,
  ...(outcome ? { outcome } : {}),
  acknowledged_at: i.acknowledgedAt?.toISOString() ?? null,
});

export function safetyRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const users = userAuth(deps.config);
  const bearer = (h: string | undefined) => /^Bearer\s+(\S+)$/i.exec(h ?? '')?.[1];
  /** A service key passes with no user set; anything else must be a user token. */
  const userOrService: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    return token && secretMatches(token, deps.config.SERVICE_API_KEYS)
      ? (unsupportedBody(c) ?? next())
      : users(c, next);
  };
  /** A signed link token stands in for a user token. */
  const userOrLink: MiddlewareHandler<AppEnv> = async (c, next) =>
    c.req.query('token') ? (unsupportedBody(c) ?? next()) : users(c, next);
  app.use(alert.path, userOrService);
  app.use('/v1/safety/incidents/:id/acknowledge', userOrLink);

  app.openapi(alert, async (c) => {
    const { user_id: bodyUserId, reason, crisis_level: crisisLevel = 'critical' } = c.req.valid('json');
    const caller = c.get('user') as AuthenticatedUser | undefined;
    if (caller && bodyUserId && bodyUserId !== caller.id)
      throw fieldError('user_id', 'only a service key may raise an alert for another user');
    const userId = caller?.id ?? bodyUserId;
    if (!userId) throw fieldError('user_id', 'required with a service key');
    // A user's own alerts are counted (each can reach every contact); a service raising one is trusted.
    if (caller) await useQuota(c, 'alerts', userId, '. If you are in danger now, call your local emergency number.');
    const alertId = randomUUID();
    const detectedAt = new Date();
    const result = await c.var.em.transactional(async (tx) => {
      const r = await openOrJoinIncident(
        tx,
        { userId, trigger: 'manual_alert', sourceId: alertId, crisisLevel, detectedAt, reason: reason ?? null },
        { dedupeMinutes: deps.config.OUTREACH_DEDUPE_MINUTES },
      );
      if (!r) return null;
      // The contract's durable record of the trigger; its processor finds the trigger on the incident already.
      const job = enqueueInTransaction(
        tx,
        safetyOutreach,
        {
          user_id: userId,
          trigger: 'manual_alert',
          source_id: alertId,
          crisis_level: crisisLevel,
          detected_at: detectedAt.toISOString(),
        },
        { jobKey: `manual_alert:${alertId}` },
      );
      return { ...r, jobs: [...r.jobs, job] };
    });
    if (!result) throw new AppError('NOT_FOUND', 'no such user (not synced yet?)');
    for (const row of result.jobs) void relayNow(c.var.em, deps.producer, row);
    c.var.log.info({ incident_id: result.incident.id, outcome: result.outcome }, 'manual safety alert');
    return c.json(status(result.incident, result.outcome), 202);
  });

  app.openapi(acknowledge, async (c) => {
    const { id } = c.req.valid('param');
    const { token } = c.req.valid('query');
    let by: Acknowledger;
    if (token) {
      const contactId = contactFromAckToken(deps.config.SAFETY_LINK_SECRET, id, token);
      if (!contactId) throw new AppError('FORBIDDEN', 'this acknowledge link is not valid');
      by = { contactId };
    } else {
      by = { userId: c.var.user.id };
    }
    const incident = await acknowledgeIncident(c.var.em, id, by);
    if (!incident) throw new AppError('NOT_FOUND', 'no such incident');
    c.var.log.info({ incident_id: id, by: token ? 'link' : 'user' }, 'incident acknowledged');
    if (c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded')) {
      return c.html(
        page('Thank you', 'Hearth will stop contacting others about this. Please reach out to them now.'),
        200,
      ) as never;
    }
    return c.json(status(incident), 200);
  });

  // Documented only (registerPath): the page a contact's link opens; its form posts the token back.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: acknowledge.path,
    tags: ['safety'],
    summary: 'The acknowledge page an SMS link opens (public: its form carries ?token= to the POST)',
    request: { params: z.object({ id: z.string() }), query: AckQuery },
    responses: {
      200: { description: 'an HTML page with one button', content: { 'text/html': { schema: z.string() } } },
    },
  });
  app.get('/v1/safety/incidents/:id/acknowledge', (c) => {
    const token = c.req.query('token') ?? '';
    const action = `/v1/safety/incidents/${encodeURIComponent(c.req.param('id'))}/acknowledge?token=${encodeURIComponent(token)}`;
    return c.html(
      page(
        'Someone may need you',
        html`<form method="post" action="${action}"><button type="submit">I am reaching out to them</button></form>`,
      ),
    );
  });
  return app;
}

const page = (title: string, body: unknown) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
