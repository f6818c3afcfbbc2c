// The caller's settings per service: GET /v1/me/services, PATCH /v1/me/services/{service_type}.
// service_preferences are the user's (validated per service: src/domain/service-preferences.ts) and read by
// the code they steer: voice quiet hours, calls per day and zone (vapi-call), preferred voice (calls without
// an assistant, inbound and web calls), language (their variableValues), chat's default reminder method (new
// schedules). service_metadata is the platform's (first use, client versions, assistant used): read-only here.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { LockMode } from '@mikro-orm/core';
import { SERVICE_TYPES, type ServiceType } from '../../domain/enums.ts';
import { mergePreferences, PREFERENCE_SCHEMAS } from '../../domain/service-preferences.ts';
import { User } from '../../entities/user.entity.ts';
import { UserServiceProfile } from '../../entities/user-service-profile.entity.ts';
import { Voice } from '../../entities/voice.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError, fieldError, zodDetails } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const Service = z
  .object({
    service_type: z.enum(SERVICE_TYPES),
    service_preferences: z.record(z.string(), z.unknown()),
    service_metadata: z.record(z.string(), z.unknown()).describe('written by the platform; read-only'),
    usage_stats: z.record(z.string(), z.unknown()),
    last_used_at: z.iso.datetime().nullable(),
  })
  .openapi('ServiceSettings');

const ServicePatch = z
  .object({
    service_preferences: z
      .record(z.string(), z.unknown())
      .describe(
        'voice: quiet_hours {start,end} (HH:mm, your zone), language (BCP 47), preferred_voice (assistant id), calls_per_day, timezone; chat: default_reminder_method, timezone; scheduling: timezone. A null removes the key.',
      ),
  })
  .strict()
  .openapi('ServiceSettingsPatch');

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const Param = z.object({ service_type: z.enum(SERVICE_TYPES) });

const list = createRoute({
  method: 'get',
  path: '/v1/me/services',
  summary: 'Your settings and usage per service (chat, voice, scheduling)',
  security: [{ userToken: [] }],
  responses: {
    200: json(z.object({ services: z.array(Service) }), 'one entry per service'),
    401: json(ErrorBody, 'no valid user token'),
  },
});
const patch = createRoute({
  method: 'patch',
  path: '/v1/me/services/{service_type}',
  summary: "Change a service's preferences (keys given replace the stored ones)",
  security: [{ userToken: [] }],
  request: { params: Param, body: { required: true, content: { 'application/json': { schema: ServicePatch } } } },
  responses: {
    200: json(Service, 'the service settings'),
    400: json(ErrorBody, 'invalid preferences (names the field)'),
    401: json(ErrorBody, 'no valid user token'),
    404: json(ErrorBody, 'the account is not synced yet'),
  },
});

const view = (type: ServiceType, p: UserServiceProfile | undefined) => ({
  service_type: type,
  service_preferences: p?.servicePreferences ?? {},
  service_metadata: p?.serviceMetadata ?? {},
  usage_stats: p?.usageStats ?? {},
  last_used_at: p?.lastUsedAt?.toISOString() ?? null,
});

export function meServiceRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/me/services', userAuth(deps.config));
  app.use('/v1/me/services/*', userAuth(deps.config));

  app.openapi(list, async (c) => {
    const rows = await c.var.em.find(UserServiceProfile, { user: c.var.user.id });
    const byType = new Map(rows.map((r) => [r.serviceType, r]));
    return c.json({ services: SERVICE_TYPES.map((t) => view(t, byType.get(t))) }, 200);
  });

  app.openapi(patch, async (c) => {
    const type = c.req.valid('param').service_type;
    const parsed = PREFERENCE_SCHEMAS[type].safeParse(c.req.valid('json').service_preferences);
    if (!parsed.success) {
      const details = zodDetails(parsed.error).map((d) => ({
        field: d.field === '(body)' ? 'service_preferences' : `service_preferences.${d.field}`,
        message: d.message,
      }));
      throw new AppError('VALIDATION_FAILED', `invalid request: ${details.map((d) => d.field).join(', ')}`, details);
    }
    const patch = parsed.data as Record<string, unknown>;
    const userId = c.var.user.id;
    const em = c.var.em;
    if (
      typeof patch.preferred_voice === 'string' &&
      !(await em.count(Voice, { assistantId: patch.preferred_voice, isActive: true }))
    )
      throw fieldError('service_preferences.preferred_voice', 'no active voice with this assistant id');
    const profile = await em.transactional(async (tx) => {
      if (!(await tx.count(User, { id: userId, deletedAt: null })))
        throw new AppError('NOT_FOUND', 'your account is not synced yet');
      await tx.execute(
        'insert into user_service_profiles (user_id, service_type) values (?, ?) on conflict (user_id, service_type) do nothing',
        [userId, type],
      );
      // Locked: two patches at once both land (neither overwrites the other's keys).
      const row = await tx.findOneOrFail(
        UserServiceProfile,
        { user: userId, serviceType: type },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      row.servicePreferences = mergePreferences(row.servicePreferences, patch);
      return row;
    });
    return c.json(view(type, profile), 200);
  });
  return app;
}
