// Every attempt to reach a safety contact. Kept when the contact row is removed (safety_contact_id set null),
// so the user's outreach history stays whole; removed with the user.
import { defineEntity, p } from '@mikro-orm/core';
import { CONTACT_INITIATORS, CONTACT_METHODS } from '../domain/enums.ts';
import { generatedId, jsonObject, nonNegativeInt } from './base.entity.ts';
import { SafetyContact } from './safety-contact.entity.ts';
import { User } from './user.entity.ts';

export const ContactLogSchema = defineEntity({
  name: 'ContactLog',
  tableName: 'contact_logs',
  indexes: [
    { name: 'contact_logs_user_attempted_idx', properties: ['user', 'attemptedAt'] },
    { name: 'contact_logs_safety_contact_idx', properties: ['safetyContact'] },
  ],
  checks: [
    { name: 'contact_logs_response_time_check', expression: 'response_received or response_time_minutes is null' },
  ],
  properties: {
    id: generatedId(),
    safetyContact: p.manyToOne(SafetyContact).nullable().deleteRule('set null'),
    user: p.manyToOne(User).deleteRule('cascade'),
    attemptedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    contactMethod: p.enum(CONTACT_METHODS),
    success: p.boolean(),
    /** Why the contact was attempted, e.g. `crisis_detected`, `missed_check_ins`. */
    reason: p.text().nullable(),
    initiatedBy: p.enum(CONTACT_INITIATORS),
    responseReceived: p.boolean().default(false),
    responseTimeMinutes: nonNegativeInt('response_time_minutes').nullable(),
    responseSummary: p.text().nullable(),
    messageContent: p.text().nullable(),
    errorMessage: p.text().nullable(),
    contactMetadata: jsonObject(),
  },
});
export class ContactLog extends ContactLogSchema.class {}
ContactLogSchema.setClass(ContactLog);
