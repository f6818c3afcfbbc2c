// POST /webhooks/vapi: Vapi's server messages. Verify, strip, store with its job, answer: nothing slow runs
// here (the vapi-webhook worker does the rest). POST /admin/api/webhook-events/{id}/replay re-runs one.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { tooLarge, unsupportedBody } from '../guards.ts';
import { AppError } from '../errors.ts';
import { webhookRejected } from '../audit.ts';
import { adminAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import { vapiHeaderCheck, vapiSignatureValid } from '../vapi-webhook-auth.ts';
import { rejectUnstorableText } from '../text-guard.ts';
import { VapiEventBatcher } from '../vapi-event-batcher.ts';
import { parseEnvelope, recordVapiEvent, replayVapiEvent } from '../vapi-events.ts';
import { answerAssistantRequest } from '../inbound-call.ts';

export const VAPI_WEBHOOK_PATH = '/webhooks/vapi';
/** An end-of-call report of a long call (transcript, messages twice, call copy) can pass the API's 256 KB. */
export const MAX_VAPI_WEBHOOK_BYTES = 8 * 1024 * 1024;

const receive = createRoute({
  method: 'post',
  path: VAPI_WEBHOOK_PATH,
  summary: 'Vapi server messages (secret header or HMAC signature)',
  security: [{ vapiSecret: [] }, { vapiSignature: [] }] as Record<string, string[]>[],
  description:
    'Stores the message without its transcript, messages, recordings or artifact, then acknowledges. A redelivery of the same body is acknowledged and dropped. An assistant-request (inbound call) is answered with the assistant for the caller: { assistantId, assistantOverrides } or { error }.',
  responses: {
    200: {
      description: 'recorded (or a duplicate)',
      content: {
        'application/json': {
          schema: z.union([
            z.object({ received: z.literal(true), duplicate: z.boolean() }),
            z.object({ assistantId: z.string(), assistantOverrides: z.record(z.string(), z.unknown()) }),
            z.object({ error: z.string() }),
          ]),
        },
      },
    },
    400: { description: 'not a server message envelope', content: { 'application/json': { schema: ErrorBody } } },
    401: { description: 'missing or wrong credential', content: { 'application/json': { schema: ErrorBody } } },
  },
});

const replay = createRoute({
  method: 'post',
  path: '/admin/api/webhook-events/{id}/replay',
  summary: 'Process a stored Vapi event again (admin token)',
  security: [{ adminToken: [] }],
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    202: {
      description: 'queued again',
      content: { 'application/json': { schema: z.object({ replayed: z.literal(true) }) } },
    },
    401: { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } },
    404: { description: 'no such event', content: { 'application/json': { schema: ErrorBody } } },
    409: { description: 'already processed', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function vapiWebhookRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const batcher = new VapiEventBatcher(deps.orm.em, deps.producer);
  app.use('/admin/api/webhook-events/*', adminAuth(deps.config.ADMIN_TOKEN!));
  // The credential is checked before the body is read: a static secret from the headers alone; an HMAC
  // signature only when one is presented, fresh, with HMAC configured (then the body must be read to check it).
  const refuse = (c: Context<AppEnv>) =>
    webhookRejected(c, 'vapi', new AppError('UNAUTHORIZED', 'invalid webhook credential'));
  /** Deliveries whose HMAC signature is still to be checked against the body. */
  const signed = new WeakSet<Request>();
  app.use(VAPI_WEBHOOK_PATH, async (c, next) => {
    const check = vapiHeaderCheck(deps.config, (name) => c.req.header(name), new Date());
    if (check === 'invalid') return refuse(c);
    if (check === 'needs_body') signed.add(c.req.raw);
    return unsupportedBody(c) ?? next();
  });
  // Only then is the body read, up to 8 MiB (an end-of-call report carries the whole conversation).
  app.use(VAPI_WEBHOOK_PATH, tooLarge(MAX_VAPI_WEBHOOK_BYTES));
  app.use(VAPI_WEBHOOK_PATH, async (c, next) => {
    if (!signed.has(c.req.raw)) return next();
    const header = (name: string) => c.req.header(name);
    return vapiSignatureValid(deps.config, header, await c.req.text(), new Date()) ? next() : refuse(c);
  });
  app.use(VAPI_WEBHOOK_PATH, rejectUnstorableText());
  app.openapi(receive, async (c) => {
    const raw = await c.req.text();
    const envelope = parseEnvelope(raw);
    if (!envelope) throw new AppError('BAD_REQUEST', 'expected a Vapi server message: { "message": { "type": ... } }');
    if (envelope.message.type === 'assistant-request') {
      // Vapi waits for the assistant (7.5 s at most): answered here, stored alongside for the record.
      const [answer] = await Promise.all([
        answerAssistantRequest(c.var.em, deps.config, envelope.message, c.var.log),
        recordVapiEvent(batcher, raw, envelope),
      ]);
      return c.json(answer, 200);
    }
    const result = await recordVapiEvent(batcher, raw, envelope);
    return c.json({ received: true as const, duplicate: result.duplicate }, 200);
  });
  app.openapi(replay, async (c) => {
    const outcome = await replayVapiEvent(c.var.em, deps.producer, c.req.valid('param').id);
    if (outcome === 'not_found') throw new AppError('NOT_FOUND', 'no such webhook event');
    if (outcome === 'already_processed')
      throw new AppError('CONFLICT', 'the event was processed; its effects are in place');
    return c.json({ replayed: true as const }, 202);
  });
  return app;
}
