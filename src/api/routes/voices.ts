// The voices users can pick: admins upsert them by Vapi assistant id, users list the active ones.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { Voice } from '../../entities/voice.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth, userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const VoiceOut = z
  .object({
    assistant_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    sample_url: z.string().nullable(),
    is_active: z.boolean(),
  })
  .openapi('Voice');

const VoiceIn = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1_000).nullable().optional(),
    sample_url: z
      .url({ protocol: /^https$/ })
      .max(2_000)
      .nullable()
      .optional(),
    is_active: z.boolean().optional(),
  })
  .openapi('VoiceUpsert');

const put = createRoute({
  method: 'put',
  path: '/admin/api/voices/{assistant_id}',
  summary: 'Create or update a voice by its Vapi assistant id (admin token)',
  security: [{ adminToken: [] }],
  request: {
    params: z.object({
      assistant_id: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[\w.-]+$/, 'letters, digits and _ . - only'),
    }),
    body: { required: true, content: { 'application/json': { schema: VoiceIn } } },
  },
  responses: {
    200: { description: 'the voice as stored', content: { 'application/json': { schema: VoiceOut } } },
    400: { description: 'invalid input', content: { 'application/json': { schema: ErrorBody } } },
    401: { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/voices',
  summary: 'The active voices',
  security: [{ userToken: [] }],
  responses: {
    200: {
      description: 'active voices by name',
      content: { 'application/json': { schema: z.object({ voices: z.array(VoiceOut) }) } },
    },
    401: { description: 'no valid user token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

const out = (v: Voice) => ({
  assistant_id: v.assistantId,
  name: v.name,
  description: v.description ?? null,
  sample_url: v.sampleUrl ?? null,
  is_active: v.isActive,
});

export function voiceRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/admin/api/voices/*', adminAuth(deps.config.ADMIN_TOKEN!));
  app.use(list.path, userAuth(deps.config));
  app.openapi(put, async (c) => {
    const { assistant_id } = c.req.valid('param');
    const body = c.req.valid('json');
    // Upsert on the unique assistant_id: concurrent PUTs of one voice cannot collide.
    const voice = await c.var.em.upsert(
      Voice,
      {
        assistantId: assistant_id,
        name: body.name,
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.sample_url !== undefined ? { sampleUrl: body.sample_url } : {}),
        ...(body.is_active !== undefined ? { isActive: body.is_active } : {}),
      },
      { onConflictFields: ['assistantId'] },
    );
    return c.json(out(voice), 200);
  });
  app.openapi(list, async (c) => {
    const voices = await c.var.em.find(Voice, { isActive: true }, { orderBy: { name: 'asc' } });
    return c.json({ voices: voices.map(out) }, 200);
  });
  return app;
}
