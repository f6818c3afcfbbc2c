// /v1/voice-schedules: recurring outbound calls to the user's own phone (own rows only). Each slot places
// a Vapi call directly (a voice_calls row keyed by the slot); schedule_executions belongs to /v1/schedules.
import { useQuota } from '../quotas.ts';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { VoiceSchedule } from '../../entities/voice-schedule.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import { fieldError } from '../errors.ts';
import {
  body,
  callerUser,
  errors,
  existingAssistant,
  firstRun,
  json,
  reschedule,
  security,
  IdParam,
  iso,
  notFound,
  RunTimeSchema,
  timingFields,
  upcoming,
  validateTiming,
} from './schedule-fields.ts';

const fields = {
  name: z.string().min(1).max(200),
  ...timingFields,
  assistant_id: z.string().min(1).max(200),
  custom_metadata: z.record(z.string(), z.unknown()),
};
const CreateBody = z
  .object({ ...fields, custom_metadata: fields.custom_metadata.default({}) })
  .openapi('VoiceScheduleCreate');
const PatchBody = z
  .object(fields)
  .partial()
  .extend({ is_active: z.boolean().optional() })
  .openapi('VoiceSchedulePatch');
const View = z
  .object({
    id: z.uuid(),
    name: z.string(),
    cron_expression: z.string(),
    timezone: z.string(),
    assistant_id: z.string(),
    is_active: z.boolean(),
    next_run_at: z.string().nullable(),
    last_run_at: z.string().nullable(),
    upcoming_runs: z.array(RunTimeSchema),
    custom_metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('VoiceSchedule');

const path = '/v1/voice-schedules';

const routes = {
  list: createRoute({
    method: 'get',
    path,
    summary: 'Your voice schedules',
    security,
    responses: { 200: json(z.object({ items: z.array(View) }), 'your voice schedules'), ...errors },
  }),
  create: createRoute({
    method: 'post',
    path,
    summary: 'Create a recurring call',
    security,
    request: body(CreateBody),
    responses: { 201: json(View, 'created'), ...errors, 409: json(ErrorBody, 'account not synced yet') },
  }),
  get: createRoute({
    method: 'get',
    path: `${path}/{id}`,
    summary: 'One voice schedule',
    security,
    request: { params: IdParam },
    responses: { 200: json(View, 'the schedule'), ...errors },
  }),
  patch: createRoute({
    method: 'patch',
    path: `${path}/{id}`,
    summary: 'Change, pause or resume a voice schedule',
    security,
    request: { params: IdParam, ...body(PatchBody) },
    responses: { 200: json(View, 'updated'), ...errors },
  }),
  remove: createRoute({
    method: 'delete',
    path: `${path}/{id}`,
    summary: 'Delete a voice schedule',
    security,
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...errors },
  }),
};

const view = (s: VoiceSchedule, now: Date) => ({
  id: s.id,
  name: s.name,
  cron_expression: s.cronExpression,
  timezone: s.timezone,
  assistant_id: s.voice.assistantId,
  is_active: s.isActive,
  next_run_at: iso(s.nextRunAt),
  last_run_at: iso(s.lastRunAt),
  upcoming_runs: upcoming(s.cronExpression, s.timezone, s.isActive, now),
  custom_metadata: s.customMetadata,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});

export function voiceScheduleRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const minInterval = deps.config.SCHEDULE_MIN_INTERVAL;
  app.use(path, userAuth(deps.config));
  app.use(`${path}/*`, userAuth(deps.config));
  const own = async (em: EntityManager, id: string, userId: string) => {
    const schedule = await em.findOne(VoiceSchedule, { id, user: userId }, { populate: ['voice'] });
    if (!schedule) throw notFound('voice schedule');
    return schedule;
  };
  /** The call goes to the account's phone number: without one a voice schedule cannot work. */
  const callableUser = async (em: EntityManager, id: string) => {
    const user = await callerUser(em, id);
    // Calls go only to a proven number (src/db/destinations.ts); a voice schedule calls the account's own.
    if (!user.phoneNumber || !user.phoneConfirmedAt)
      throw fieldError('phone_number', 'your account has no verified phone number to call');
    return user;
  };

  app.openapi(routes.list, async (c) => {
    const rows = await c.var.em.find(
      VoiceSchedule,
      { user: c.var.user.id },
      { populate: ['voice'], orderBy: { createdAt: 'asc' } },
    );
    const now = new Date();
    return c.json({ items: rows.map((s) => view(s, now)) }, 200);
  });

  app.openapi(routes.create, async (c) => {
    const b = c.req.valid('json');
    const em = c.var.em;
    const now = new Date();
    const cron = b.cron_expression.trim();
    validateTiming(cron, b.timezone, minInterval, now);
    const voice = await existingAssistant(em, b.assistant_id);
    const user = await callableUser(em, c.var.user.id);
    await useQuota(c, 'reminders', user.id);
    const schedule = em.create(VoiceSchedule, {
      user,
      voice,
      name: b.name,
      cronExpression: cron,
      timezone: b.timezone,
      customMetadata: b.custom_metadata,
      nextRunAt: firstRun(cron, b.timezone, true, now),
    });
    await em.flush();
    return c.json(view(schedule, now), 201);
  });

  app.openapi(routes.get, async (c) =>
    c.json(view(await own(c.var.em, c.req.valid('param').id, c.var.user.id), new Date()), 200),
  );

  app.openapi(routes.patch, async (c) => {
    const b = c.req.valid('json');
    const em = c.var.em;
    const now = new Date();
    const schedule = await own(em, c.req.valid('param').id, c.var.user.id);
    const wasActive = schedule.isActive;
    if (b.assistant_id) schedule.voice = await existingAssistant(em, b.assistant_id);
    em.assign(schedule, {
      ...(b.name && { name: b.name }),
      ...(b.cron_expression && { cronExpression: b.cron_expression.trim() }),
      ...(b.timezone && { timezone: b.timezone }),
      ...(b.custom_metadata && { customMetadata: b.custom_metadata }),
      ...(b.is_active !== undefined && { isActive: b.is_active }),
    });
    validateTiming(schedule.cronExpression, schedule.timezone, minInterval, now);
    if (schedule.isActive) {
      await callableUser(em, c.var.user.id);
      await useQuota(c, 'reminders', c.var.user.id);
    }
    reschedule(schedule, Boolean(b.cron_expression || b.timezone) || schedule.isActive !== wasActive, now);
    await em.flush();
    return c.json(view(schedule, now), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const schedule = await own(c.var.em, c.req.valid('param').id, c.var.user.id);
    await c.var.em.remove(schedule).flush();
    return c.body(null, 204);
  });
  return app;
}
