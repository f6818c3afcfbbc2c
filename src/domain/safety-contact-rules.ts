// The rules a safety contact must satisfy, checked on the merged state (after a PATCH too). Pure: the
// route adds the checks that need the database (the contact user exists, is active, is not the owner).
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { IANAZone } from 'luxon';
import validator from 'validator';
import type { ContactMethod } from './enums.ts';

export interface ContactDraft {
  contact_user_id: string | null;
  external_first_name: string | null;
  external_last_name: string | null;
  external_phone_number: string | null;
  external_email: string | null;
  allowed_communication_methods: ContactMethod[];
  preferred_communication_method: ContactMethod | null;
  preferred_contact_time: { start: string; end: string } | null;
  timezone: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** E.164 (`+` and up to 15 digits) and a number libphonenumber knows to be valid; returns it normalised or null. */
export function normalisePhone(value: string): string | null {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return null;
  const parsed = parsePhoneNumberFromString(value);
  return parsed?.isValid() ? parsed.number : null;
}

const NEEDS: Partial<Record<ContactMethod, { field: keyof ContactDraft; what: string }>> = {
  sms: { field: 'external_phone_number', what: 'a phone number' },
  voice: { field: 'external_phone_number', what: 'a phone number' },
  email: { field: 'external_email', what: 'an email address' },
};

/** The first rule the contact breaks, naming the field; null when it is valid. */
export function contactProblem(c: ContactDraft): FieldProblem | null {
  const external = [c.external_first_name, c.external_last_name, c.external_phone_number, c.external_email].some(
    (v) => v != null,
  );
  if (c.contact_user_id && external)
    return {
      field: 'contact_user_id',
      message: 'a contact is either a Hearth user (contact_user_id) or external (external_*), not both',
    };
  if (!c.contact_user_id) {
    if (!c.external_first_name?.trim())
      return { field: 'external_first_name', message: 'required for an external contact (or give contact_user_id)' };
    if (!c.external_phone_number && !c.external_email)
      return {
        field: 'external_phone_number',
        message: 'an external contact needs a phone number or an email address',
      };
  }
  if (c.external_phone_number && !normalisePhone(c.external_phone_number))
    return {
      field: 'external_phone_number',
      message: 'must be a valid phone number in E.164 format, e.g. +14155550123',
    };
  if (c.external_email && !validator.isEmail(c.external_email))
    return { field: 'external_email', message: 'must be a valid email address' };

  const allowed = c.allowed_communication_methods;
  if (allowed.length === 0) return { field: 'allowed_communication_methods', message: 'at least one method' };
  if (new Set(allowed).size !== allowed.length)
    return { field: 'allowed_communication_methods', message: 'lists a method twice' };
  if (!c.contact_user_id) {
    if (allowed.includes('in_app'))
      return { field: 'allowed_communication_methods', message: 'in_app is only for a contact who is a Hearth user' };
    for (const m of allowed) {
      const need = NEEDS[m];
      if (need && !c[need.field])
        return { field: 'allowed_communication_methods', message: `${m} needs ${need.what} (${need.field})` };
    }
  }
  if (c.preferred_communication_method && !allowed.includes(c.preferred_communication_method)) {
    return { field: 'preferred_communication_method', message: 'must be one of allowed_communication_methods' };
  }
  if (c.timezone && !IANAZone.isValidZone(c.timezone))
    return { field: 'timezone', message: 'must be an IANA timezone, e.g. Europe/Berlin' };
  if (c.preferred_contact_time) {
    if (c.preferred_contact_time.start === c.preferred_contact_time.end)
      return { field: 'preferred_contact_time', message: 'start and end must differ' };
    if (!c.timezone) return { field: 'timezone', message: 'required with preferred_contact_time' };
  }
  return null;
}
