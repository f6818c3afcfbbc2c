// POST /v1/calls/web: an in-app voice call. Hearth writes the voice_calls row (channel web) and answers with
// what the app's Vapi web client needs to start it: the public key, the assistant and assistantOverrides
// carrying a short-lived token signed by Hearth (src/domain/web-call-token.ts). The webhook links the Vapi
// call to the row only through that token; a user id the client puts in the metadata is never trusted.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { signWebCallToken } from '../../domain/web-call-token.ts';
import { User } from '../../entities/user.entity.ts';
import { VoiceCall } from '../../entities/voice-call.entity.ts';
import { Voice } from '../../entities/voice.entity.ts';
import { callVariables, usersAssistant } from '../call-context.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError, fieldError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const WebCallRequest = z
  .object({
    assistant_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('default: your preferred_voice, else the assistant of your latest call'),
  })
  .strict()
  .openapi('WebCallRequest');

const WebCall = z
  .object({
    id: z.uuid().describe('the voice_calls row; GET /v1/calls/{id} shows it once the call ran'),
    public_key: z.string().nullable().describe('Vapi public key for the web client (new Vapi(public_key))'),
    assistant_id: z.string(),
    assistant_overrides: z
      .object({
        metadata: z.object({ hearth_call_token: z.string() }),
        variableValues: z.record(z.string(), z.string()),
      })
      .describe('pass unchanged: vapi.start(assistant_id, assistant_overrides)'),
    expires_at: z.iso.datetime().describe('start the call before this; a later start is not linked to you'),
  })
  .openapi('WebCall');

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const route = createRoute({
  method: 'post',
  path: '/v1/calls/web',
  summary: 'Start an in-app voice call: what the Vapi web client needs',
  security: [{ userToken: [] }],
  request: { body: { required: false, content: { 'application/json': { schema: WebCallRequest } } } },
  responses: {
    201: json(WebCall, 'start the call with these'),
    400: json(ErrorBody, 'no such active assistant, or none to choose (names assistant_id)'),
    401: json(ErrorBody, 'no valid user token'),
    404: json(ErrorBody, 'the account is not synced yet'),
  },
});

export function webCallRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, userAuth(deps.config));
  return app.openapi(route, async (c) => {
    const secret = deps.config.VAPI_WEB_CALL_SECRET;
    const body = (await c.req.json().catch(() => ({}))) as unknown;
    const parsed = WebCallRequest.safeParse(body ?? {});
    if (!parsed.success) throw fieldError('assistant_id', parsed.error.issues[0]?.message ?? 'invalid');
    const em = c.var.em;
    const user = await em.findOne(User, { id: c.var.user.id, deletedAt: null });
    if (!user) throw new AppError('NOT_FOUND', 'your account is not synced yet');
    const voice = parsed.data.assistant_id
      ? await em.findOne(Voice, { assistantId: parsed.data.assistant_id, isActive: true })
      : await usersAssistant(em, user.id);
    if (!voice)
      throw fieldError(
        'assistant_id',
        parsed.data.assistant_id ? 'no active voice with this assistant id' : 'required',
      );
    const call = em.create(VoiceCall, {
      user,
      voice,
      channel: 'web',
      status: 'queued',
      metadata: { purpose: 'web_call' },
    });
    await em.flush();
    const expiresAt = new Date(Date.now() + deps.config.VAPI_WEB_CALL_TOKEN_SECONDS * 1000);
    return c.json(
      {
        id: call.id,
        public_key: deps.config.VAPI_PUBLIC_KEY ?? null,
        assistant_id: voice.assistantId,
        assistant_overrides: {
          metadata: {
            hearth_call_token: signWebCallToken(secret, { voiceCallId: call.id, userId: user.id, expiresAt }),
          },
          variableValues: await callVariables(em, user),
        },
        expires_at: expiresAt.toISOString(),
      },
      201,
    );
  });
}
