// A recurring chat or voice check-in (cron in the user's timezone). The clock picks rows due by next_run_at.
import { defineEntity, p } from '@mikro-orm/core';
import { REMINDER_METHODS, SCHEDULE_TYPES } from '../domain/enums.ts';
import { createdAt, generatedId, jsonObject, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const ScheduleSchema = defineEntity({
  name: 'Schedule',
  tableName: 'schedules',
  indexes: [
    { name: 'schedules_due_idx', properties: ['nextRunAt'], where: { isActive: true } },
    { name: 'schedules_user_idx', properties: ['user'] },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    name: p.text(),
    description: p.text().nullable(),
    scheduleType: p.enum(SCHEDULE_TYPES),
    cronExpression: p.text(),
    /** IANA zone the cron expression is read in. */
    timezone: p.text().default('UTC'),
    nextRunAt: p.datetime().nullable(),
    lastRunAt: p.datetime().nullable(),
    reminderMethod: p.enum(REMINDER_METHODS).default('in_app'),
    /** Overrides users.phone_number for this schedule. */
    phoneNumber: p.text().nullable(),
    /** Overrides users.email for this schedule. */
    email: p.text().nullable(),
    /** Vapi assistant for voice schedules; plain text, no FK (voice_schedules is the FK-checked path). */
    assistantId: p.text().nullable(),
    isActive: p.boolean().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    customMetadata: jsonObject(),
    contextSummary: p.text().nullable(),
  },
});
export class Schedule extends ScheduleSchema.class {}
ScheduleSchema.setClass(Schedule);
