// Builds the Hono app from its dependencies; never listens (src/api/server.ts does), so tests call app.request().
import { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import { requestId } from 'hono/request-id';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { createLimits, type Limits } from '../lib/limits.ts';
import { createMetrics, type Metrics } from '../lib/metrics.ts';
import type { Producer } from '../queues/producer.ts';
import type { AppEnv } from './env.ts';
import { notFound, onError, validationHook } from './errors.ts';
import { rejectUnstorableText } from './text-guard.ts';
import { clientIp } from './client-ip.ts';
import { authFailureLimit, MAX_BODY_BYTES, tooLarge, webhookRateLimit } from './guards.ts';
import { adminEngagementRoutes } from './routes/admin-engagement.ts';
import { adminEventRoutes } from './routes/admin-events.ts';
import { auditEventRoutes } from './routes/audit-events.ts';
import { BOARD_PATH, boardRoutes } from './routes/board.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { meServiceRoutes } from './routes/me-services.ts';
import { meDestinationRoutes } from './routes/me-destinations.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { meSyncRoutes } from './routes/me-sync.ts';
import { supabaseWebhookRoutes } from './routes/supabase-webhooks.ts';
import { memoryRoutes } from './routes/memories.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { voiceScheduleRoutes } from './routes/voice-schedules.ts';
import { safetyContactRoutes } from './routes/safety-contacts.ts';
import { safetyRoutes } from './routes/safety.ts';
import { twilioWebhookRoutes } from './routes/twilio-webhook.ts';
import { vapiWebhookRoutes } from './routes/vapi-webhooks.ts';
import { voiceRoutes } from './routes/voices.ts';
import { callRoutes } from './routes/calls.ts';
import { webCallRoutes } from './routes/web-calls.ts';

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  producer: Producer;
  log: Logger;
  /** The process's metrics registry; a fresh one when omitted. */
  metrics?: Metrics;
  /** Quotas and rate limits; by default counted in Redis on the producer's connection. */
  limits?: Limits;
}

export { MAX_BODY_BYTES } from './guards.ts';

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const metrics = deps.metrics ?? createMetrics();
  const limits = deps.limits ?? createLimits(deps.producer.connection, deps.producer.prefix, deps.config);

  app.use(requestId({ headerName: 'x-request-id', limitLength: 100 }));
  app.use(async (c, next) => {
    const log = deps.log.child({ requestId: c.var.requestId });
    c.set('log', log);
    c.set('em', deps.orm.em.fork());
    c.set('clientIp', clientIp(c, deps.config.TRUST_PROXY_HOPS));
    c.set('limits', limits);
    const started = performance.now();
    await next();
    // Route pattern, not the raw URL: query strings may carry user text.
    const ms = performance.now() - started;
    log.info({ method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(ms) }, 'request');
    metrics.httpDuration.observe({ method: c.req.method, route: c.req.routePath, status: c.res.status }, ms / 1000);
  });
  // An address that keeps failing authentication is refused for the rest of the minute (429), before anything else.
  app.use(authFailureLimit());
  app.use('/webhooks/*', webhookRateLimit());
  // A body without a length is read (up to the limit) to be measured: webhooks apply their limit after their
  // credential check (Vapi's is 8 MiB: an end-of-call report carries the whole conversation).
  app.use(except('/webhooks/*', tooLarge(MAX_BODY_BYTES)));
  // Webhooks check their credential before anything reads the body (their routes run this guard after it).
  app.use(except('/webhooks/*', rejectUnstorableText()));

  app.route('/', healthRoutes(deps));
  app.route('/', auditEventRoutes(deps));
  app.route('/', meRoutes(deps));
  app.route('/', meServiceRoutes(deps));
  app.route('/', meDestinationRoutes(deps));
  app.route('/', adminEngagementRoutes(deps));
  app.route('/', privacyRoutes(deps));
  app.route('/', adminEventRoutes(deps));
  app.route('/', supabaseWebhookRoutes(deps));
  app.route('/', meSyncRoutes(deps));
  app.route('/', conversationRoutes(deps));
  app.route('/', memoryRoutes(deps));
  app.route('/', scheduleRoutes(deps));
  app.route('/', voiceScheduleRoutes(deps));
  app.route('/', safetyContactRoutes(deps));
  app.route('/', safetyRoutes(deps));
  app.route('/', twilioWebhookRoutes(deps));
  app.route('/', vapiWebhookRoutes(deps));
  app.route('/', voiceRoutes(deps));
  app.route('/', webCallRoutes(deps));
  app.route('/', callRoutes(deps));
  app.route(BOARD_PATH, boardRoutes(deps));
  app.route('/', metricsRoutes(deps, metrics));

  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'One of SERVICE_API_KEYS',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'userToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Supabase access token',
  });
  registerWebhookSchemes(app);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Hearth API', version: '0.1.0', description: 'Enqueues background work for the companion app.' },
  });
  app.route('/', docsRoutes());

  app.notFound(notFound);
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;

/** How the routes that are not called with a bearer token authenticate (each route names its own). */
function registerWebhookSchemes(app: OpenAPIHono<AppEnv>) {
  const scheme = (name: string, s: { in: 'header' | 'query'; name: string; description: string }) =>
    app.openAPIRegistry.registerComponent('securitySchemes', name, { type: 'apiKey', ...s });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'Browsers: any user name, ADMIN_TOKEN as the password',
  });
  scheme('supabaseWebhookSecret', {
    in: 'header',
    name: 'x-supabase-webhook-secret',
    description: 'SUPABASE_WEBHOOK_SECRET',
  });
  scheme('vapiSecret', {
    in: 'header',
    name: 'x-vapi-secret',
    description: 'VAPI_WEBHOOK_SECRET, in the header VAPI_WEBHOOK_SECRET_HEADER names (default x-vapi-secret)',
  });
  scheme('vapiSignature', {
    in: 'header',
    name: 'x-signature',
    description:
      'HMAC of `{x-timestamp}.{body}` under VAPI_WEBHOOK_HMAC_SECRET (VAPI_WEBHOOK_HMAC_* name the headers and algorithm)',
  });
  scheme('twilioSignature', {
    in: 'header',
    name: 'x-twilio-signature',
    description: "Twilio's signature (TWILIO_AUTH_TOKEN) of PUBLIC_BASE_URL + path + query and the form parameters",
  });
  scheme('acknowledgeLink', {
    in: 'query',
    name: 'token',
    description: "The token of a contact's acknowledge link (HMAC of incident and contact under SAFETY_LINK_SECRET)",
  });
}
