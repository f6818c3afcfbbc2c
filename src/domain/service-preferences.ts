// What a user may set per service (user_service_profiles.service_preferences) and the profile's privacy
// flags (users.privacy_settings): the shapes, as zod schemas the API validates with and the readers parse
// with, so a value stored before a rule changed is read defensively. Pure.
import { z } from 'zod';
import { IANAZone } from 'luxon';
import { REMINDER_METHODS, type ServiceType } from './enums.ts';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(HHMM, 'HH:mm, 24-hour');

export const timezone = z
  .string()
  .max(64)
  .refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone, e.g. Europe/Berlin');

/** A BCP 47 language tag, stored in canonical form ("EN-gb" → "en-GB"). */
export const languageTag = z
  .string()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // RangeError: not a well-formed tag
    }
    ctx.addIssue({ code: 'custom', message: 'a BCP 47 language tag, e.g. en-GB' });
    return z.NEVER;
  });

/** Quiet hours for calls, read in the user's zone (the `timezone` preference, else their schedules'). */
export const quietHours = z
  .object({ start: hhmm, end: hhmm })
  .strict()
  .refine((q) => q.start !== q.end, 'start and end must differ');

/** Voice: when and how Hearth calls. */
export const VoicePreferences = z
  .object({
    quiet_hours: quietHours.nullable(),
    language: languageTag.nullable(),
    /** A voices.assistant_id (checked against the active voices by the API). */
    preferred_voice: z.string().min(1).max(200).nullable(),
    /** At most this many scheduled calls start per local day (user-requested and safety calls are not counted). */
    calls_per_day: z.number().int().min(1).max(24).nullable(),
    timezone: timezone.nullable(),
  })
  .partial()
  .strict();

/** Chat: defaults for new check-up schedules. */
export const ChatPreferences = z
  .object({
    /** reminder_method of a new schedule that names none. */
    default_reminder_method: z.enum(REMINDER_METHODS).nullable(),
    timezone: timezone.nullable(),
  })
  .partial()
  .strict();

export const SchedulingPreferences = z.object({ timezone: timezone.nullable() }).partial().strict();

export const PREFERENCE_SCHEMAS = {
  voice: VoicePreferences,
  chat: ChatPreferences,
  scheduling: SchedulingPreferences,
} as const satisfies Record<ServiceType, z.ZodType>;

/**
 * A patch applied to stored preferences: given keys replace, a null removes the key.
 * @example mergePreferences({ language: 'en' }, { language: null, calls_per_day: 2 }) // { calls_per_day: 2 }
 */
export function mergePreferences(stored: Record<string, unknown>, patch: Record<string, unknown>) {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The stored voice preferences, each key dropped if it no longer parses (never throws). */
export function readVoicePreferences(stored: Record<string, unknown> | null | undefined) {
  const out: z.infer<typeof VoicePreferences> = {};
  for (const [key, schema] of Object.entries(VoicePreferences.shape)) {
    const parsed = schema.safeParse(stored?.[key]);
    if (parsed.success && parsed.data != null) (out as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}

/** users.privacy_settings: what other people may see of the user in the app. */
export const PrivacyFlags = z
  .object({
    show_streak: z.boolean().describe('others may see the current streak (default true)'),
    show_last_active: z.boolean().describe('others may see when the user was last active (default false)'),
  })
  .partial()
  .strict();
export type PrivacyFlags = z.infer<typeof PrivacyFlags>;

export const PRIVACY_DEFAULTS: Required<PrivacyFlags> = { show_streak: true, show_last_active: false };

/** The stored flags over the defaults; unknown or malformed stored keys are ignored. */
export function privacyFlags(stored: Record<string, unknown> | null | undefined): Required<PrivacyFlags> {
  const out = { ...PRIVACY_DEFAULTS };
  for (const key of Object.keys(out) as (keyof PrivacyFlags)[]) {
    if (typeof stored?.[key] === 'boolean') out[key] = stored[key] as boolean;
  }
  return out;
}
