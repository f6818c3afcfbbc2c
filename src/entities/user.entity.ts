// The one users table: a mirror of Supabase Auth (id = the auth user's UUID, never generated here).
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, jsonObject, nonNegativeInt, updatedAt } from './base.entity.ts';

/** UI-level privacy flags only; consent and retention live in user_privacy_settings. */
export type UserPrivacyFlags = Record<string, unknown>;

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  indexes: [
    { name: 'users_email_idx', properties: ['email'] },
    { name: 'users_phone_number_idx', properties: ['phoneNumber'] },
  ],
  checks: [{ name: 'users_deleted_inactive_check', expression: 'deleted_at is null or not is_active' }],
  triggers: [
    {
      // An internal safety contact who deletes their account must not delete someone else's contact row:
      // deactivate the rows that point at them, then the FK sets contact_user_id to null.
      name: 'deactivate_safety_contacts',
      timing: 'before',
      events: ['delete'],
      forEach: 'row',
      body: 'update safety_contacts set is_active = false, updated_at = now() where contact_user_id = old.id; return old;',
    },
  ],
  properties: {
    id: p.uuid().primary(),
    email: p.text().nullable(),
    phoneNumber: p.text().nullable(),
    fullName: p.text().nullable(),
    displayName: p.text().nullable(),
    /** Set once the user picks a display name in the app: from then on Auth's metadata never overwrites it. */
    displayNameSetInApp: p.boolean().default(false),
    bio: p.text().nullable(),
    avatarUrl: p.text().nullable(),
    emailConfirmedAt: p.datetime().nullable(),
    phoneConfirmedAt: p.datetime().nullable(),
    lastSignInAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    currentStreak: nonNegativeInt('current_streak').default(0),
    xp: nonNegativeInt('xp').default(0),
    privacySettings: jsonObject<UserPrivacyFlags>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastActiveAt: p.datetime().nullable(),
    /** Auth's `updated_at` of the snapshot last synced: an older snapshot never overwrites a newer one. */
    authUpdatedAt: p.datetime().nullable(),
    /** Soft delete: set when Supabase reports the user deleted; a deleted user is never active. */
    deletedAt: p.datetime().nullable(),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
