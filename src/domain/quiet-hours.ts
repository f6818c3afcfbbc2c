// Per-user quiet hours for outbound calls. Pure.
// Where they come from: the user's voice profile, user_service_profiles (service_type 'voice')
// .service_preferences.quiet_hours = { "start": "22:00", "end": "08:00" } (PATCH /v1/me/services/voice), read
// in the user's zone (src/db/user-zone.ts). A `timezone` inside quiet_hours (rows written before the API
// existed) still wins. No (or an invalid) entry means no quiet hours. Emergencies (safety outreach) ignore them.
import { DateTime } from 'luxon';

export interface QuietHours {
  start: string;
  end: string;
  timezone: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Reads quiet hours from service preferences, in `zone` unless they name their own; null when absent or malformed. */
export function parseQuietHours(
  preferences: Record<string, unknown> | null | undefined,
  zone = 'UTC',
): QuietHours | null {
  const q = preferences?.quiet_hours as Partial<QuietHours> | undefined;
  if (!q || typeof q !== 'object' || !HHMM.test(q.start ?? '') || !HHMM.test(q.end ?? '') || q.start === q.end)
    return null;
  const valid = (z: unknown): z is string => typeof z === 'string' && DateTime.local().setZone(z).isValid;
  const timezone = valid(q.timezone) ? q.timezone : valid(zone) ? zone : 'UTC';
  return { start: q.start!, end: q.end!, timezone };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a call may be placed: null = now, otherwise the end of the current quiet period. The window may
 * cross midnight (22:00–08:00) and is read in the user's timezone (DST-aware through luxon).
 * @example callableAfter(new Date('2026-01-01T23:00:00Z'), { start: '22:00', end: '08:00', timezone: 'UTC' })
 *   // 2026-01-02T08:00:00.000Z
 */
export function callableAfter(now: Date, quiet: QuietHours | null, emergency = false): Date | null {
  if (!quiet || emergency) return null;
  const local = DateTime.fromJSDate(now).setZone(quiet.timezone);
  const at = local.hour * 60 + local.minute;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const inside = start < end ? at >= start && at < end : at >= start || at < end;
  if (!inside) return null;
  const endToday = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return (endToday > local ? endToday : endToday.plus({ days: 1 })).toJSDate();
}
