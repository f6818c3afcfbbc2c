// POST /webhooks/twilio/status?log=<contact_logs.id> (outreach SMS) or ?execution=<schedule_executions.id>
// (a check-up reminder SMS): Twilio's delivery status callback,
// accepted only with a valid X-Twilio-Signature (HMAC-SHA1 with the auth token over the public URL + params).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { failExecution } from '../../db/schedule-executions.ts';
import { verifyTwilioSignature } from '../../lib/notify/twilio.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { applySmsStatus } from '../../safety/delivery-status.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { MAX_BODY_BYTES, tooLarge } from '../guards.ts';
import { AppError, errorResponse } from '../errors.ts';
import { webhookRejected } from '../audit.ts';
import { ErrorBody } from '../schemas.ts';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

export function twilioWebhookRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  // Documented only (registerPath): Twilio posts a form, which the handler reads whole to check the signature.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: TWILIO_STATUS_PATH,
    summary: "Twilio's delivery status callback for outreach SMS (X-Twilio-Signature)",
    security: [{ twilioSignature: [] }],
    request: {
      query: z.object({
        log: z.string().optional().openapi({ description: 'the contact_logs id the SMS belongs to' }),
      }),
      body: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: z.record(z.string(), z.string()) } },
      },
    },
    responses: {
      204: { description: 'applied, or not one of ours (Twilio must not retry)' },
      403: { description: 'invalid signature', content: { 'application/json': { schema: ErrorBody } } },
      503: { description: 'Twilio is not configured', content: { 'application/json': { schema: ErrorBody } } },
    },
  });
  // No signature at all: refused before the body is read (the signature covers the form, so a presented one
  // can only be checked after reading it, within the API's body limit).
  app.use(TWILIO_STATUS_PATH, async (c, next) => {
    if (!deps.config.TWILIO_AUTH_TOKEN)
      return errorResponse(c, new AppError('UNAVAILABLE', 'twilio is not configured'));
    if (!c.req.header('x-twilio-signature'))
      return webhookRejected(c, 'twilio-status', new AppError('FORBIDDEN', 'invalid X-Twilio-Signature'));
    return next();
  });
  app.use(TWILIO_STATUS_PATH, tooLarge(MAX_BODY_BYTES));
  app.post(TWILIO_STATUS_PATH, async (c) => {
    const token = deps.config.TWILIO_AUTH_TOKEN!;
    const raw = await c.req.parseBody();
    const params = Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    // Twilio signs the URL it called: our public origin, this path and the query string as sent.
    const url = new URL(c.req.url);
    const signedUrl = new URL(url.pathname + url.search, deps.config.PUBLIC_BASE_URL).href;
    if (!verifyTwilioSignature(token, c.req.header('x-twilio-signature') ?? '', signedUrl, params)) {
      return webhookRejected(c, 'twilio-status', new AppError('FORBIDDEN', 'invalid X-Twilio-Signature'));
    }
    const execution = z.uuid().safeParse(c.req.query('execution'));
    if (execution.success) {
      // A reminder SMS (notification-send): Twilio could not deliver it, so its check-up failed.
      const status = params.MessageStatus ?? '';
      if (status === 'failed' || status === 'undelivered')
        await failExecution(c.var.em, execution.data, `twilio ${status} code ${params.ErrorCode ?? 'none'}`);
      c.var.log.info({ execution_id: execution.data, status }, 'twilio reminder status');
      return c.body(null, 204);
    }
    const logId = z.uuid().safeParse(c.req.query('log'));
    if (!logId.success) return c.body(null, 204); // not one of ours; 2xx so Twilio does not retry
    const row = await applySmsStatus(c.var.em, logId.data, params);
    if (row) void relayNow(c.var.em, deps.producer, row);
    c.var.log.info({ log_id: logId.data, status: params.MessageStatus, moved_on: Boolean(row) }, 'twilio status');
    return c.body(null, 204);
  });
  return app;
}
