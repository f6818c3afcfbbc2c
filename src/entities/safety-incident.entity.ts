// One crisis episode of a user and the outreach it drives (docs/safety.md). At most one open incident per
// user (partial unique index): repeated triggers join it. The plan (contact ids and methods, no PII) is
// fixed when the incident opens; current_step is the furthest step the outreach has reached.
import { defineEntity, p } from '@mikro-orm/core';
import { INCIDENT_STATUSES, OUTREACH_LEVELS } from '../domain/enums.ts';
import type { OutreachStep } from '../domain/outreach-policy.ts';
import { createdAt, generatedId, jsonList, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

/** One crisis signal that opened or joined the incident; `key` = `${trigger}:${source_id}`. */
export type IncidentTrigger = {
  key: string;
  trigger: string;
  source_id: string | null;
  crisis_level: string;
  detected_at: string;
};

export const SafetyIncidentSchema = defineEntity({
  name: 'SafetyIncident',
  tableName: 'safety_incidents',
  uniques: [{ name: 'safety_incidents_one_open_per_user', properties: ['user'], where: { status: 'open' } }],
  indexes: [{ name: 'safety_incidents_user_opened_idx', properties: ['user', 'openedAt'] }],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    status: p.enum(INCIDENT_STATUSES).default('open'),
    crisisLevel: p.enum(OUTREACH_LEVELS),
    /** Manual alert or critical level: quiet hours are ignored and emergency contacts go first. */
    emergency: p.boolean(),
    triggers: jsonList<IncidentTrigger>('triggers'),
    plan: jsonList<OutreachStep>('plan'),
    currentStep: p.integer().default(0).check('current_step >= 0'),
    /** The user's own words with a manual alert; for the operator only, never sent or logged. */
    reason: p.text().nullable(),
    openedAt: createdAt(),
    lastTriggerAt: p.datetime(),
    acknowledgedAt: p.datetime().nullable(),
    /** `user`, `contact_user:<users.id>` or `contact:<safety_contacts.id>` (signed link). */
    acknowledgedBy: p.text().nullable(),
    closedAt: p.datetime().nullable(),
    updatedAt: updatedAt(),
  },
});
export class SafetyIncident extends SafetyIncidentSchema.class {}
SafetyIncidentSchema.setClass(SafetyIncident);
