// A user's calls: request one (the vapi-call job places it), list them, read one with its summary.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isProvenDestination } from '../../db/destinations.ts';
import { lockUser } from '../../db/locks.ts';
import { preferredVoice } from '../../db/voice-preferences.ts';
import { CallSummary } from '../../entities/call-summary.entity.ts';
import { VoiceCall } from '../../entities/voice-call.entity.ts';
import { Voice } from '../../entities/voice.entity.ts';
import { enqueueInTransaction } from '../../queues/producer.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { vapiCall } from '../../queues/vapi-call.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError, fieldError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import { quotaResponse, useQuota } from '../quotas.ts';
import { IN_FLIGHT } from '../../domain/call-lifecycle.ts';
import { CallOut, IN_FLIGHT_WINDOW_MS, callOut } from './call-views.ts';

const CallRequest = z
  .object({
    assistant_id: z.string().min(1).max(200).optional().describe('default: your voice preference preferred_voice'),
    phone_number: z
      .string()
      .max(32)
      .optional()
      .describe(
        'E.164: your verified phone, a number you confirmed (POST /v1/me/destinations) or one of your safety contacts; defaults to your verified phone',
      ),
  })
  .openapi('CallRequest');

const errors = (extra: Record<number, string>) =>
  Object.fromEntries(
    Object.entries({ 401: 'no valid user token', ...extra }).map(([k, d]) => [
      k,
      { description: d, content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );

const create = createRoute({
  method: 'post',
  path: '/v1/calls',
  summary: 'Request an outbound call now',
  security: [{ userToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CallRequest } } } },
  responses: {
    202: {
      description: 'queued',
      content: { 'application/json': { schema: z.object({ id: z.uuid(), status: z.string() }) } },
    },
    ...errors({
      400: 'no phone number, an invalid one, or an unknown or inactive voice',
      404: 'the user is not synced',
      409: 'a call is already in flight',
    }),
    ...quotaResponse('calls'),
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/calls',
  summary: 'Your calls, newest first',
  security: [{ userToken: [] }],
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
  responses: {
    200: { description: 'calls', content: { 'application/json': { schema: z.object({ calls: z.array(CallOut) }) } } },
    ...errors({}),
  },
});
const one = createRoute({
  method: 'get',
  path: '/v1/calls/{id}',
  summary: 'One of your calls with its summary',
  security: [{ userToken: [] }],
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: { description: 'the call', content: { 'application/json': { schema: CallOut } } },
    ...errors({ 404: 'no such call of yours' }),
  },
});

export function callRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/calls', userAuth(deps.config));
  app.use('/v1/calls/*', userAuth(deps.config));

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const em = c.var.em;
    const { call, job } = await em.transactional(async (tx) => {
      // The user row is locked so two requests at once cannot both pass the in-flight check.
      const user = await lockUser(tx, c.var.user.id, { deletedAt: null });
      if (!user) throw new AppError('NOT_FOUND', 'your account is not synced yet');
      const assistantId = body.assistant_id ?? (await preferredVoice(tx, user.id));
      if (!assistantId) throw fieldError('assistant_id', 'required: no preferred_voice in your voice settings');
      const voice = await tx.findOne(Voice, { assistantId });
      if (!voice?.isActive) throw fieldError('assistant_id', 'no active voice with this assistant id');
      const phoneNumber = body.phone_number ? e164(body.phone_number) : user.phoneConfirmedAt ? user.phoneNumber : null;
      if (!phoneNumber) throw fieldError('phone_number', 'required: the account has no confirmed phone number');
      if (!(await isProvenDestination(tx, user, 'sms', phoneNumber, { allowSafetyContacts: true })))
        throw fieldError(
          'phone_number',
          'not your verified phone, a number you confirmed (POST /v1/me/destinations) or a safety contact of yours',
        );
      const recent = new Date(Date.now() - IN_FLIGHT_WINDOW_MS);
      if (await tx.count(VoiceCall, { user, status: { $in: [...IN_FLIGHT] }, createdAt: { $gt: recent } })) {
        throw new AppError('CONFLICT', 'a call is already in flight');
      }
      await useQuota(c, 'calls', user.id);
      const call = tx.create(VoiceCall, {
        user,
        voice,
        channel: 'outbound_phone',
        phoneNumber,
        status: 'queued',
        metadata: { purpose: 'user_request' },
      });
      const job = enqueueInTransaction(
        tx,
        vapiCall,
        { voice_call_id: call.id, purpose: 'user_request', schedule_execution_id: null },
        { jobKey: call.id },
      );
      return { call, job };
    });
    void relayNow(em, deps.producer, job);
    return c.json({ id: call.id, status: call.status }, 202);
  });

  app.openapi(list, async (c) => {
    const calls = await c.var.em.find(
      VoiceCall,
      { user: c.var.user.id },
      { orderBy: { createdAt: 'desc' }, limit: c.req.valid('query').limit, populate: ['voice'] },
    );
    const summaries = await c.var.em.find(CallSummary, { call: { $in: calls.map((x) => x.id) } });
    const byCall = new Map(summaries.map((s) => [s.call.id, s]));
    return c.json({ calls: calls.map((x) => callOut(x, byCall.get(x.id))) }, 200);
  });

  app.openapi(one, async (c) => {
    const call = await c.var.em.findOne(
      VoiceCall,
      { id: c.req.valid('param').id, user: c.var.user.id },
      { populate: ['voice'] },
    );
    if (!call) throw new AppError('NOT_FOUND', 'no such call');
    const summary = await c.var.em.findOne(CallSummary, { call: call.id });
    return c.json(callOut(call, summary ?? undefined), 200);
  });
  return app;
}

function e164(input: string): string {
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed?.isValid() || !input.startsWith('+'))
    throw fieldError('phone_number', 'must be a valid E.164 number, e.g. +14155550123');
  return parsed.number;
}
