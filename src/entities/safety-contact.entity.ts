// A person a user trusts to be contacted in a crisis: another Hearth user (contact_user_id) or an
// external person (external_*). See docs/data-model.md for what happens when either account is deleted.
import { defineEntity, p } from '@mikro-orm/core';
import { CONTACT_METHODS, RELATIONSHIP_TYPES } from '../domain/enums.ts';
import type { ContactMethod } from '../domain/enums.ts';
import { createdAt, generatedId, jsonList, jsonObject, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

/** A daily local window in the contact's timezone, e.g. { start: '09:00', end: '21:00' }. */
export type ContactTimeWindow = { start: string; end: string };

export const SafetyContactSchema = defineEntity({
  name: 'SafetyContact',
  tableName: 'safety_contacts',
  uniques: [
    // DEFERRABLE INITIALLY IMMEDIATE: checked at the end of each statement, so the ORM's batched update can
    // swap two priorities; a reorder spread over statements runs `set constraints ... deferred` first.
    { name: 'safety_contacts_user_priority_unique', properties: ['user', 'priorityOrder'], deferMode: 'immediate' },
  ],
  indexes: [{ name: 'safety_contacts_contact_user_idx', properties: ['contactUser'] }],
  checks: [
    // Active rows are reachable: an internal user, or an external person with a name and a phone or email.
    // An inactive row may be neither: that is what an internal contact who deleted their account leaves.
    {
      name: 'safety_contacts_reachable_check',
      expression:
        'not is_active or contact_user_id is not null or (external_first_name is not null and (external_phone_number is not null or external_email is not null))',
    },
    { name: 'safety_contacts_not_self_check', expression: 'contact_user_id <> user_id' },
    {
      name: 'safety_contacts_preferred_allowed_check',
      expression:
        'preferred_communication_method is null or allowed_communication_methods @> jsonb_build_array(preferred_communication_method)',
    },
    {
      name: 'safety_contacts_contact_time_check',
      expression: "preferred_contact_time is null or jsonb_typeof(preferred_contact_time) = 'object'",
    },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    contactUser: p.manyToOne(User).nullable().deleteRule('set null'),
    externalFirstName: p.text().nullable(),
    externalLastName: p.text().nullable(),
    externalPhoneNumber: p.text().nullable(),
    externalEmail: p.text().nullable(),
    /** 1 = contacted first; unique per user. */
    priorityOrder: p.integer().check('priority_order >= 1'),
    allowedCommunicationMethods: jsonList<ContactMethod>('allowed_communication_methods'),
    preferredCommunicationMethod: p.enum(CONTACT_METHODS).nullable(),
    relationshipType: p.enum(RELATIONSHIP_TYPES).nullable(),
    notes: p.text().nullable(),
    preferredContactTime: p.json<ContactTimeWindow>().nullable(),
    /** IANA zone of preferred_contact_time; null = the owner's. */
    timezone: p.text().nullable(),
    isActive: p.boolean().default(true),
    isEmergencyContact: p.boolean().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastContactedAt: p.datetime().nullable(),
    lastContactMethod: p.enum(CONTACT_METHODS).nullable(),
    lastContactSuccessful: p.boolean().nullable(),
    customMetadata: jsonObject(),
  },
});
export class SafetyContact extends SafetyContactSchema.class {}
SafetyContactSchema.setClass(SafetyContact);
