// Audit log. It outlives the user (user_id set null); event_data must not carry message content.
import { defineEntity, p } from '@mikro-orm/core';
import { EVENT_CATEGORIES, SEVERITIES } from '../domain/enums.ts';
import { createdAt, generatedId, jsonObject } from './base.entity.ts';
import { User } from './user.entity.ts';

export const SystemEventSchema = defineEntity({
  name: 'SystemEvent',
  tableName: 'system_events',
  indexes: [
    { name: 'system_events_category_created_idx', properties: ['eventCategory', 'createdAt'] },
    { name: 'system_events_user_created_idx', properties: ['user', 'createdAt'] },
    // Retention deletes by age across categories.
    { name: 'system_events_created_idx', properties: ['createdAt'] },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).nullable().deleteRule('set null'),
    /** Dotted name, e.g. `user.synced`, `safety.contact_notified`. */
    eventType: p.text(),
    eventCategory: p.enum(EVENT_CATEGORIES),
    eventData: jsonObject(),
    severity: p.enum(SEVERITIES).default('info'),
    sessionId: p.text().nullable(),
    ipAddress: p.text().columnType('inet').nullable(),
    userAgent: p.text().nullable(),
    createdAt: createdAt(),
  },
});
export class SystemEvent extends SystemEventSchema.class {}
SystemEventSchema.setClass(SystemEvent);
