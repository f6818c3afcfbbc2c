// Privacy settings: their bounds and what a change means. Pure.
import { z } from 'zod';
import { PII_KINDS } from './enums.ts';

/** Retention is a user's choice within these bounds: at least a day, at most ten years. */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;

/** Per PII kind: `redact` replaces it with a typed placeholder in processed text, `keep` leaves it. */
export const PII_HANDLING = ['redact', 'keep'] as const;

export const piiHandlingPreferences = z.partialRecord(z.enum(PII_KINDS), z.enum(PII_HANDLING));

export const privacyChange = z
  .object({
    data_retention_days: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max),
    allow_long_term_storage: z.boolean(),
    auto_anonymize_pii: z.boolean(),
    pii_handling_preferences: piiHandlingPreferences,
    /** Accepting a consent version records the moment it was given. */
    consent_version: z.string().min(1).max(50),
  })
  .partial()
  .strict();

export type PrivacyChange = z.infer<typeof privacyChange>;

/** The names of the settings a change really alters (for the audit trail: names, never values). */
export function changedSettings(
  current: Record<keyof PrivacyChange, unknown>,
  change: PrivacyChange,
): (keyof PrivacyChange)[] {
  return (Object.keys(change) as (keyof PrivacyChange)[]).filter(
    (key) => JSON.stringify(current[key]) !== JSON.stringify(change[key]),
  );
}
