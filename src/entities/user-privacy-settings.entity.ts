// Global privacy preferences and consent of one user (at most one row per user). Opt-in by default.
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, generatedId, jsonObject, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const UserPrivacySettingsSchema = defineEntity({
  name: 'UserPrivacySettings',
  tableName: 'user_privacy_settings',
  checks: [
    // A consent is a version the user agreed to at a time: both or neither.
    { name: 'user_privacy_settings_consent_check', expression: '(consent_version is null) = (consent_date is null)' },
  ],
  properties: {
    id: generatedId(),
    user: p.oneToOne(User).owner().deleteRule('cascade'),
    dataRetentionDays: p.integer().default(365).check('data_retention_days > 0'),
    allowLongTermStorage: p.boolean().default(false),
    autoAnonymizePii: p.boolean().default(true),
    piiHandlingPreferences: jsonObject(),
    consentVersion: p.text().nullable(),
    consentDate: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export class UserPrivacySettings extends UserPrivacySettingsSchema.class {}
UserPrivacySettingsSchema.setClass(UserPrivacySettings);
