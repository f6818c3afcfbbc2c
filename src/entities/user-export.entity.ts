// A user's data export: built by the user-export job, downloadable once by that user within 24 hours,
// then emptied. It holds the user's own data, so it is deleted with the user.
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, generatedId } from './base.entity.ts';
import { User } from './user.entity.ts';

export const EXPORT_STATUSES = ['pending', 'ready', 'downloaded', 'expired'] as const;

export const UserExportSchema = defineEntity({
  name: 'UserExport',
  tableName: 'user_exports',
  indexes: [{ name: 'user_exports_user_idx', properties: ['user'] }],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    status: p.enum(EXPORT_STATUSES).default('pending'),
    /** The export document; null before it is built and after it was downloaded or expired. */
    data: p.json<Record<string, unknown>>().nullable().lazy(),
    createdAt: createdAt(),
    readyAt: p.datetime().nullable(),
    expiresAt: p.datetime(),
    downloadedAt: p.datetime().nullable(),
  },
});
export class UserExport extends UserExportSchema.class {}
UserExportSchema.setClass(UserExport);
