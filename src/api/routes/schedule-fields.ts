// What /v1/schedules and /v1/voice-schedules share: timing validation (400 naming the field), the next
// run, the upcoming runs in UTC and local time, paging and ownership lookups.
import { z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  cronError,
  isValidZone,
  nextRunAfter,
  shortestIntervalMinutes,
  upcomingRuns,
} from '../../domain/schedule-time.ts';
import { User } from '../../entities/user.entity.ts';
import { Voice } from '../../entities/voice.entity.ts';
import { AppError, fieldError } from '../errors.ts';
import { ErrorBody } from '../schemas.ts';

/** How many upcoming runs a schedule response lists. */
export const UPCOMING_RUNS = 5;

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const RunTimeSchema = z.object({ utc: z.string(), local: z.string() }).openapi('RunTime');

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

export const timingFields = {
  cron_expression: z.string().min(1).max(100).openapi({ example: '0 9 * * 1-5' }),
  timezone: z.string().min(1).max(64).openapi({ example: 'Europe/London' }),
};

/** Refuses an invalid cron, an unknown zone and a cron that fires more often than the minimum interval. */
export function validateTiming(cron: string, zone: string, minIntervalMinutes: number, now: Date): void {
  const error = cronError(cron);
  if (error) throw fieldError('cron_expression', `not a valid cron expression: ${error}`);
  if (!isValidZone(zone)) throw fieldError('timezone', 'not an IANA time zone (e.g. Europe/London)');
  if (shortestIntervalMinutes(cron, now) < minIntervalMinutes) {
    throw fieldError('cron_expression', `fires more often than every ${minIntervalMinutes} minutes`);
  }
  try {
    nextRunAfter(cron, zone, now);
  } catch (err) {
    throw fieldError('cron_expression', `no next run in ${zone}: ${(err as Error).message}`);
  }
}

/** The first run after `now` (the new next_run_at), or null for a paused schedule. */
export const firstRun = (cron: string, zone: string, active: boolean, now: Date): Date | null =>
  active ? nextRunAfter(cron, zone, now).at : null;

/** The next runs for a response; none for a paused schedule or one whose time cannot be computed (the clock reports those). */
export function upcoming(cron: string, zone: string, active: boolean, now: Date) {
  try {
    return active ? upcomingRuns(cron, zone, now, UPCOMING_RUNS) : [];
  } catch {
    return [];
  }
}

/** The caller's users row; a user Hearth has not synced yet cannot own schedules. */
export async function callerUser(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id, deletedAt: null });
  if (!user) throw new AppError('CONFLICT', 'your account is not set up in Hearth yet; try again shortly');
  return user;
}

/** The active assistant with this Vapi id, or 400 naming assistant_id. */
export async function existingAssistant(em: EntityManager, assistantId: string | null | undefined): Promise<Voice> {
  const voice = assistantId ? await em.findOne(Voice, { assistantId, isActive: true }) : null;
  if (!voice) throw fieldError('assistant_id', assistantId ? 'no such assistant' : 'required for voice');
  return voice;
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const notFound = (what: string) => new AppError('NOT_FOUND', `no such ${what}`);

/** A new cron or zone, a pause or a resume: next_run_at is recomputed from now (paused slots never fire late). */
export function reschedule(
  s: { cronExpression: string; timezone: string; isActive: boolean; nextRunAt?: Date | null },
  changed: boolean,
  now: Date,
) {
  if (changed) s.nextRunAt = firstRun(s.cronExpression, s.timezone, s.isActive, now);
}

// OpenAPI route pieces both route files use.
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const errors = {
  400: json(ErrorBody, 'invalid input (names the field)'),
  401: json(ErrorBody, 'no valid user token'),
  404: json(ErrorBody, 'not found (or not yours)'),
};
export const security = [{ userToken: [] }];
export const body = <S extends z.ZodType>(schema: S) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});
