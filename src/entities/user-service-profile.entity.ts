// Per-service preferences and usage of one user (one row per user and service).
import { defineEntity, p } from '@mikro-orm/core';
import { SERVICE_TYPES } from '../domain/enums.ts';
import { createdAt, generatedId, jsonObject, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const UserServiceProfileSchema = defineEntity({
  name: 'UserServiceProfile',
  tableName: 'user_service_profiles',
  uniques: [{ name: 'user_service_profiles_user_service_unique', properties: ['user', 'serviceType'] }],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    serviceType: p.enum(SERVICE_TYPES),
    servicePreferences: jsonObject(),
    serviceMetadata: jsonObject(),
    usageStats: jsonObject(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastUsedAt: p.datetime().nullable(),
  },
});
export class UserServiceProfile extends UserServiceProfileSchema.class {}
UserServiceProfileSchema.setClass(UserServiceProfile);
