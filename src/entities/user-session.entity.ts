// Active sessions per service. session_token holds a hash of the token (sha256 hex), never the token.
import { defineEntity, p } from '@mikro-orm/core';
import { SERVICE_TYPES } from '../domain/enums.ts';
import { createdAt, generatedId, jsonObject } from './base.entity.ts';
import { User } from './user.entity.ts';

export const UserSessionSchema = defineEntity({
  name: 'UserSession',
  tableName: 'user_sessions',
  // Not partial: the cascade from users needs to find inactive sessions too.
  indexes: [{ name: 'user_sessions_user_idx', properties: ['user'] }],
  checks: [
    { name: 'user_sessions_expiry_check', expression: 'expires_at > created_at' },
    { name: 'user_sessions_ended_inactive_check', expression: 'ended_at is null or not is_active' },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    sessionToken: p.text().unique('user_sessions_session_token_unique'),
    serviceType: p.enum(SERVICE_TYPES),
    ipAddress: p.text().columnType('inet').nullable(),
    userAgent: p.text().nullable(),
    deviceInfo: jsonObject(),
    isActive: p.boolean().default(true),
    expiresAt: p.datetime(),
    createdAt: createdAt(),
    lastActivityAt: createdAt(),
    endedAt: p.datetime().nullable(),
  },
});
export class UserSession extends UserSessionSchema.class {}
UserSessionSchema.setClass(UserSession);
