// Supabase Database Webhook on auth.users -> one user-sync job. Supabase does not sign these; the
// webhook is configured to send SUPABASE_WEBHOOK_SECRET in the x-supabase-webhook-secret header, which
// is compared in constant time. The record's raw auth.users columns (encrypted_password, tokens,
// raw_user_meta_data, …) are dropped at parsing: only the user id is kept, and the job fetches the user
// from the Auth admin API, so the delivery body is never logged, stored or put on a queue.
import { createHash } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { userSync } from '../../queues/user-sync.ts';
import { erasedIds } from '../../db/erased-identities.ts';
import { enqueueOnce } from '../enqueue-once.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { MAX_BODY_BYTES, tooLarge, unsupportedBody } from '../guards.ts';
import { AppError } from '../errors.ts';
import { webhookRejected } from '../audit.ts';
import { secretMatches } from '../auth.ts';
import { Accepted, ErrorBody } from '../schemas.ts';

export const WEBHOOK_SECRET_HEADER = 'x-supabase-webhook-secret';

/** Only the id survives parsing (zod drops unknown keys): the raw columns never go further. */
const AuthUserRecord = z.object({ id: z.uuid() });
const target = { table: z.literal('users'), schema: z.literal('auth') };

const AuthUsersWebhook = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('INSERT'), ...target, record: AuthUserRecord }),
    z.object({ type: z.literal('UPDATE'), ...target, record: AuthUserRecord }),
    z.object({ type: z.literal('DELETE'), ...target, old_record: AuthUserRecord }),
  ])
  .openapi('SupabaseAuthUsersWebhook', {
    description: 'A Supabase Database Webhook payload for auth.users (only `id` is read)',
  });

const route = createRoute({
  method: 'post',
  path: '/webhooks/supabase/auth-users',
  summary: 'Supabase Database Webhook for auth.users (shared secret header)',
  security: [{ supabaseWebhookSecret: [] }],
  description: `Authenticated by the \`${WEBHOOK_SECRET_HEADER}\` header. Enqueues one user-sync job per delivery (a redelivery of the same body enqueues nothing new).`,
  request: { body: { required: true, content: { 'application/json': { schema: AuthUsersWebhook } } } },
  responses: {
    200: {
      description: 'ignored: the user was erased (an erased identity is never synced back)',
      content: { 'application/json': { schema: z.object({ ignored: z.literal('erased') }) } },
    },
    202: { description: 'accepted', content: { 'application/json': { schema: Accepted } } },
    400: { description: 'not an auth.users webhook payload', content: { 'application/json': { schema: ErrorBody } } },
    401: { description: 'missing or wrong secret', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function supabaseWebhookRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const secret = deps.config.SUPABASE_WEBHOOK_SECRET;
  app.use(route.path, async (c, next) => {
    const presented = c.req.header(WEBHOOK_SECRET_HEADER);
    if (!secret || !presented || !secretMatches(presented, [secret])) {
      return webhookRejected(
        c,
        'supabase-auth-users',
        new AppError('UNAUTHORIZED', `a valid ${WEBHOOK_SECRET_HEADER} header is required`),
      );
    }
    return unsupportedBody(c) ?? next();
  });
  app.use(route.path, tooLarge(MAX_BODY_BYTES));
  return app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const userId = (body.type === 'DELETE' ? body.old_record.id : body.record.id).toLowerCase();
    // An erased identity stays erased (its tombstone): nothing is enqueued, and the worker would refuse it too.
    if ((await erasedIds(c.var.em, [userId], deps.config.ERASURE_TOMBSTONE_KEY)).size) {
      c.var.log.info({ type: body.type }, 'auth user webhook for an erased identity ignored');
      return c.json({ ignored: 'erased' as const }, 200);
    }
    // The delivery's identity: a hash of its whole body (Supabase sends no delivery id). A redelivery is
    // byte-for-byte the same; two real changes differ at least in updated_at.
    const delivery = createHash('sha256')
      .update(await c.req.text())
      .digest('hex');
    const payload = {
      user_id: userId,
      source: 'webhook' as const,
      request_id: `webhook:${delivery.slice(0, 32)}`,
      session_id: null,
    };
    const { jobId, duplicate } = await enqueueOnce(c.var.em, deps.producer, userSync, payload, `webhook:${delivery}`);
    c.var.log.info({ userId, type: body.type, jobId, duplicate }, 'auth user webhook accepted');
    return c.json({ job_id: jobId }, 202);
  });
}
