// /v1/schedules: a user's chat and voice check-up schedules and their run log (own rows only).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { REMINDER_METHODS, SCHEDULE_TYPES, EXECUTION_STATUSES } from '../../domain/enums.ts';
import { isProvenDestination } from '../../db/destinations.ts';
import { ChatPreferences } from '../../domain/service-preferences.ts';
import { Schedule } from '../../entities/schedule.entity.ts';
import { UserServiceProfile } from '../../entities/user-service-profile.entity.ts';
import { ScheduleExecution } from '../../entities/schedule-execution.entity.ts';
import type { User } from '../../entities/user.entity.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import { useQuota } from '../quotas.ts';
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
  PageQuery,
  RunTimeSchema,
  timingFields,
  upcoming,
  validateTiming,
} from './schedule-fields.ts';

const fields = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).nullish(),
  schedule_type: z.enum(SCHEDULE_TYPES),
  ...timingFields,
  reminder_method: z.enum(REMINDER_METHODS),
  phone_number: z.string().max(32).nullish(),
  email: z.email().max(320).nullish(),
  assistant_id: z.string().max(200).nullish(),
  custom_metadata: z.record(z.string(), z.unknown()),
  context_summary: z.string().max(2000).nullish(),
};
const CreateBody = z
  .object({
    ...fields,
    reminder_method: fields.reminder_method
      .optional()
      .describe("default: your chat service preference default_reminder_method, else 'in_app'"),
    custom_metadata: fields.custom_metadata.default({}),
  })
  .openapi('ScheduleCreate');
const PatchBody = z.object(fields).partial().extend({ is_active: z.boolean().optional() }).openapi('SchedulePatch');

const ScheduleView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    schedule_type: z.enum(SCHEDULE_TYPES),
    cron_expression: z.string(),
    timezone: z.string(),
    reminder_method: z.enum(REMINDER_METHODS),
    phone_number: z.string().nullable(),
    email: z.string().nullable(),
    assistant_id: z.string().nullable(),
    is_active: z.boolean(),
    next_run_at: z.string().nullable(),
    last_run_at: z.string().nullable(),
    upcoming_runs: z.array(RunTimeSchema),
    custom_metadata: z.record(z.string(), z.unknown()),
    context_summary: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Schedule');
const ExecutionView = z
  .object({
    id: z.uuid(),
    executed_at: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    error_message: z.string().nullable(),
    user_responded: z.boolean(),
    response_time_minutes: z.number().nullable(),
    session_duration_minutes: z.number().nullable(),
    execution_metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('ScheduleExecution');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/schedules',
    summary: 'Your schedules',
    security,
    responses: { 200: json(z.object({ items: z.array(ScheduleView) }), 'your schedules'), ...errors },
  }),
  create: createRoute({
    method: 'post',
    path: '/v1/schedules',
    summary: 'Create a check-up schedule',
    security,
    request: body(CreateBody),
    responses: { 201: json(ScheduleView, 'created'), ...errors, 409: json(ErrorBody, 'account not synced yet') },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/schedules/{id}',
    summary: 'One schedule',
    security,
    request: { params: IdParam },
    responses: { 200: json(ScheduleView, 'the schedule'), ...errors },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/v1/schedules/{id}',
    summary: 'Change, pause (is_active false) or resume a schedule',
    security,
    request: { params: IdParam, ...body(PatchBody) },
    responses: { 200: json(ScheduleView, 'updated'), ...errors },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/schedules/{id}',
    summary: 'Delete a schedule and its run log',
    security,
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...errors },
  }),
  executions: createRoute({
    method: 'get',
    path: '/v1/schedules/{id}/executions',
    summary: 'The run log of a schedule, newest first',
    security,
    request: { params: IdParam, query: PageQuery },
    responses: {
      200: json(
        z.object({ items: z.array(ExecutionView), page: z.number(), per_page: z.number(), total: z.number() }),
        'one page',
      ),
      ...errors,
    },
  }),
};

type Fields = Pick<
  Schedule,
  'scheduleType' | 'reminderMethod' | 'cronExpression' | 'timezone' | 'phoneNumber' | 'email' | 'assistantId'
>;

/** Every rule of the issue, on the schedule as it would be saved. */
async function validate(em: EntityManager, user: User, s: Fields, minInterval: number, now: Date) {
  validateTiming(s.cronExpression, s.timezone, minInterval, now);
  if (s.phoneNumber && !isValidPhoneNumber(s.phoneNumber))
    throw fieldError('phone_number', 'not a valid phone number (E.164, e.g. +14155550100)');
  if (s.scheduleType === 'voice' || s.reminderMethod === 'voice') await existingAssistant(em, s.assistantId);
  if ((s.reminderMethod === 'sms' || s.reminderMethod === 'voice') && !(s.phoneNumber ?? user.phoneNumber)) {
    throw fieldError('phone_number', `required for ${s.reminderMethod} (your account has none)`);
  }
  if (s.reminderMethod === 'email' && !(s.email ?? user.email))
    throw fieldError('email', 'required for email (your account has none)');
  // Only to destinations the user proved (src/db/destinations.ts); a call may also go to a safety contact.
  const phone = s.phoneNumber ?? (s.reminderMethod === 'sms' || s.reminderMethod === 'voice' ? user.phoneNumber : null);
  if (
    phone &&
    !(await isProvenDestination(em, user, 'sms', phone, { allowSafetyContacts: s.reminderMethod === 'voice' }))
  )
    throw fieldError('phone_number', UNPROVEN);
  const email = s.email ?? (s.reminderMethod === 'email' ? user.email : null);
  if (email && !(await isProvenDestination(em, user, 'email', email))) throw fieldError('email', UNPROVEN);
}

const UNPROVEN =
  'not a destination you have proven: use your verified phone or email, or confirm it first (POST /v1/me/destinations)';

const view = (s: Schedule, now: Date) => ({
  id: s.id,
  name: s.name,
  description: s.description ?? null,
  schedule_type: s.scheduleType,
  cron_expression: s.cronExpression,
  timezone: s.timezone,
  reminder_method: s.reminderMethod,
  phone_number: s.phoneNumber ?? null,
  email: s.email ?? null,
  assistant_id: s.assistantId ?? null,
  is_active: s.isActive,
  next_run_at: iso(s.nextRunAt),
  last_run_at: iso(s.lastRunAt),
  upcoming_runs: upcoming(s.cronExpression, s.timezone, s.isActive, now),
  custom_metadata: s.customMetadata,
  context_summary: s.contextSummary ?? null,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});

const executionView = (e: ScheduleExecution) => ({
  id: e.id,
  executed_at: e.executedAt.toISOString(),
  status: e.status,
  error_message: e.errorMessage ?? null,
  user_responded: e.userResponded,
  response_time_minutes: e.responseTimeMinutes ?? null,
  session_duration_minutes: e.sessionDurationMinutes ?? null,
  execution_metadata: e.executionMetadata,
});

export function scheduleRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const minInterval = deps.config.SCHEDULE_MIN_INTERVAL;
  app.use('/v1/schedules', userAuth(deps.config));
  app.use('/v1/schedules/*', userAuth(deps.config));
  const own = async (em: EntityManager, id: string, userId: string) => {
    const schedule = await em.findOne(Schedule, { id, user: userId });
    if (!schedule) throw notFound('schedule');
    return schedule;
  };

  app.openapi(routes.list, async (c) => {
    const rows = await c.var.em.find(Schedule, { user: c.var.user.id }, { orderBy: { createdAt: 'asc' } });
    const now = new Date();
    return c.json({ items: rows.map((s) => view(s, now)) }, 200);
  });

  app.openapi(routes.create, async (c) => {
    const b = c.req.valid('json');
    const em = c.var.em;
    const now = new Date();
    const user = await callerUser(em, c.var.user.id);
    const chat = await em.findOne(UserServiceProfile, { user, serviceType: 'chat' });
    const defaultMethod = ChatPreferences.shape.default_reminder_method.safeParse(
      chat?.servicePreferences.default_reminder_method,
    ).data;
    const data = {
      name: b.name,
      description: b.description ?? null,
      scheduleType: b.schedule_type,
      cronExpression: b.cron_expression.trim(),
      timezone: b.timezone,
      reminderMethod: b.reminder_method ?? defaultMethod ?? 'in_app',
      phoneNumber: b.phone_number ?? null,
      email: b.email ?? null,
      assistantId: b.assistant_id ?? null,
      customMetadata: b.custom_metadata,
      contextSummary: b.context_summary ?? null,
    };
    await validate(em, user, data, minInterval, now);
    if (data.reminderMethod !== 'in_app') await useQuota(c, 'reminders', user.id);
    const schedule = em.create(Schedule, {
      ...data,
      user,
      nextRunAt: firstRun(data.cronExpression, data.timezone, true, now),
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
    em.assign(schedule, {
      ...(b.name !== undefined && { name: b.name }),
      ...(b.description !== undefined && { description: b.description }),
      ...(b.schedule_type && { scheduleType: b.schedule_type }),
      ...(b.cron_expression && { cronExpression: b.cron_expression.trim() }),
      ...(b.timezone && { timezone: b.timezone }),
      ...(b.reminder_method && { reminderMethod: b.reminder_method }),
      ...(b.phone_number !== undefined && { phoneNumber: b.phone_number }),
      ...(b.email !== undefined && { email: b.email }),
      ...(b.assistant_id !== undefined && { assistantId: b.assistant_id }),
      ...(b.custom_metadata && { customMetadata: b.custom_metadata }),
      ...(b.context_summary !== undefined && { contextSummary: b.context_summary }),
      ...(b.is_active !== undefined && { isActive: b.is_active }),
    });
    await validate(em, await callerUser(em, c.var.user.id), schedule, minInterval, now);
    if (schedule.reminderMethod !== 'in_app' && schedule.isActive) await useQuota(c, 'reminders', c.var.user.id);
    reschedule(schedule, Boolean(b.cron_expression || b.timezone) || schedule.isActive !== wasActive, now);
    await em.flush();
    return c.json(view(schedule, now), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const schedule = await own(c.var.em, c.req.valid('param').id, c.var.user.id);
    await c.var.em.remove(schedule).flush();
    return c.body(null, 204);
  });

  app.openapi(routes.executions, async (c) => {
    const { page, per_page } = c.req.valid('query');
    const schedule = await own(c.var.em, c.req.valid('param').id, c.var.user.id);
    const [rows, total] = await c.var.em.findAndCount(
      ScheduleExecution,
      { schedule },
      { orderBy: { executedAt: 'desc' }, limit: per_page, offset: (page - 1) * per_page },
    );
    return c.json({ items: rows.map(executionView), page, per_page, total }, 200);
  });
  return app;
}
