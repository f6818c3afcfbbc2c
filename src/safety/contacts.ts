// Safety contact rows as the API shows them, and priority placement. priority_order is unique per user
// (a DEFERRABLE unique): placing a contact at position k shifts the others, like moving an item in a
// list — create at k pushes k, k+1, … down by one; moving j → k shifts the contacts in between by one.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ContactDraft } from '../domain/safety-contact-rules.ts';
import type { SafetyContact } from '../entities/safety-contact.entity.ts';

export function contactJson(c: SafetyContact) {
  return {
    id: c.id,
    contact_user_id: c.contactUser?.id ?? null,
    external_first_name: c.externalFirstName ?? null,
    external_last_name: c.externalLastName ?? null,
    external_phone_number: c.externalPhoneNumber ?? null,
    external_email: c.externalEmail ?? null,
    priority_order: c.priorityOrder,
    allowed_communication_methods: c.allowedCommunicationMethods,
    preferred_communication_method: c.preferredCommunicationMethod ?? null,
    relationship_type: c.relationshipType ?? null,
    notes: c.notes ?? null,
    preferred_contact_time: c.preferredContactTime ?? null,
    timezone: c.timezone ?? null,
    is_active: c.isActive,
    is_emergency_contact: c.isEmergencyContact,
    last_contacted_at: c.lastContactedAt?.toISOString() ?? null,
    last_contact_method: c.lastContactMethod ?? null,
    last_contact_successful: c.lastContactSuccessful ?? null,
    custom_metadata: c.customMetadata,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export const draftOf = (c: SafetyContact): ContactDraft => {
  const { custom_metadata: _, ...j } = contactJson(c);
  return { ...j, allowed_communication_methods: [...j.allowed_communication_methods] };
};

/** The entity fields for the API's snake_case fields that were given. */
export function entityFields(body: Record<string, unknown>): Partial<Record<keyof SafetyContact, unknown>> {
  const map: Record<string, keyof SafetyContact> = {
    contact_user_id: 'contactUser',
    external_first_name: 'externalFirstName',
    external_last_name: 'externalLastName',
    external_phone_number: 'externalPhoneNumber',
    external_email: 'externalEmail',
    allowed_communication_methods: 'allowedCommunicationMethods',
    preferred_communication_method: 'preferredCommunicationMethod',
    relationship_type: 'relationshipType',
    notes: 'notes',
    preferred_contact_time: 'preferredContactTime',
    timezone: 'timezone',
    is_active: 'isActive',
    is_emergency_contact: 'isEmergencyContact',
    custom_metadata: 'customMetadata',
  };
  return Object.fromEntries(
    Object.entries(body)
      .filter(([k, v]) => map[k] && v !== undefined)
      .map(([k, v]) => [map[k], v]),
  );
}

/**
 * Makes room at `to` for a contact now at `from` (null = a new contact), inside the caller's transaction.
 * The unique constraint is deferred to the commit, so the shifts may pass through duplicates.
 */
export async function makeRoom(
  tx: EntityManager,
  userId: string,
  contactId: string,
  from: number | null,
  to: number,
): Promise<void> {
  await tx.execute('set constraints safety_contacts_user_priority_unique deferred');
  if (from === null) {
    await tx.execute(
      'update safety_contacts set priority_order = priority_order + 1 where user_id = ? and priority_order >= ? and id <> ?',
      [userId, to, contactId],
    );
  } else if (to < from) {
    await tx.execute(
      'update safety_contacts set priority_order = priority_order + 1 where user_id = ? and priority_order >= ? and priority_order < ? and id <> ?',
      [userId, to, from, contactId],
    );
  } else if (to > from) {
    await tx.execute(
      'update safety_contacts set priority_order = priority_order - 1 where user_id = ? and priority_order > ? and priority_order <= ? and id <> ?',
      [userId, from, to, contactId],
    );
  }
}

/** The next free position at the end of the user's list. */
export async function nextPriority(em: EntityManager, userId: string): Promise<number> {
  const [row] = await em.execute<{ max: number | null }[]>(
    'select max(priority_order) as max from safety_contacts where user_id = ?',
    [userId],
  );
  return (row?.max ?? 0) + 1;
}
