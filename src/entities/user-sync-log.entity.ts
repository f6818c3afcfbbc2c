// One row per Supabase Auth -> users sync attempt. An audit trail: it outlives the user (user_id set null).
import { defineEntity, p } from '@mikro-orm/core';
import { SYNC_SOURCES, SYNC_TYPES } from '../domain/enums.ts';
import { createdAt, generatedId } from './base.entity.ts';
import { User } from './user.entity.ts';

export const UserSyncLogSchema = defineEntity({
  name: 'UserSyncLog',
  tableName: 'user_sync_logs',
  indexes: [{ name: 'user_sync_logs_user_created_idx', properties: ['user', 'createdAt'] }],
  checks: [{ name: 'user_sync_logs_failure_reason_check', expression: 'success or error_message is not null' }],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).nullable().deleteRule('set null'),
    syncType: p.enum(SYNC_TYPES),
    source: p.enum(SYNC_SOURCES),
    /** The changed fields' values before the sync (null for a create, a no-op or a failure). */
    beforeData: p.json<Record<string, unknown>>().nullable(),
    /** The changed fields' values after the sync (a create: every field it set; null for a no-op or a failure). */
    afterData: p.json<Record<string, unknown>>().nullable(),
    success: p.boolean(),
    errorMessage: p.text().nullable(),
    requestId: p.text().nullable(),
    sessionId: p.text().nullable(),
    createdAt: createdAt(),
  },
});
export class UserSyncLog extends UserSyncLogSchema.class {}
UserSyncLogSchema.setClass(UserSyncLog);
