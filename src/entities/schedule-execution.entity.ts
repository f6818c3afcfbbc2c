// One run of a schedule slot. executed_at is the slot time, and (schedule_id, executed_at) is unique:
// a slot runs once however many times its job is retried.
import { defineEntity, p } from '@mikro-orm/core';
import { EXECUTION_STATUSES } from '../domain/enums.ts';
import { generatedId, jsonObject, nonNegativeInt } from './base.entity.ts';
import { Schedule } from './schedule.entity.ts';

export const ScheduleExecutionSchema = defineEntity({
  name: 'ScheduleExecution',
  tableName: 'schedule_executions',
  uniques: [{ name: 'schedule_executions_slot_unique', properties: ['schedule', 'executedAt'] }],
  // Response tracking (recordCheckinResponse) finds a check-in's execution by the conversation or call it started.
  indexes: [
    {
      name: 'schedule_executions_conversation_idx',
      expression: `create index "schedule_executions_conversation_idx" on "schedule_executions" ((execution_metadata ->> 'conversation_id'))`,
    },
    {
      name: 'schedule_executions_voice_call_idx',
      expression: `create index "schedule_executions_voice_call_idx" on "schedule_executions" ((execution_metadata ->> 'voice_call_id'))`,
    },
  ],
  checks: [
    { name: 'schedule_executions_failure_reason_check', expression: "status <> 'failed' or error_message is not null" },
  ],
  properties: {
    id: generatedId(),
    schedule: p.manyToOne(Schedule).deleteRule('cascade'),
    executedAt: p.datetime(),
    status: p.enum(EXECUTION_STATUSES).default('pending'),
    errorMessage: p.text().nullable(),
    userResponded: p.boolean().default(false),
    responseTimeMinutes: nonNegativeInt('response_time_minutes').nullable(),
    sessionDurationMinutes: nonNegativeInt('session_duration_minutes').nullable(),
    executionMetadata: jsonObject(),
  },
});
export class ScheduleExecution extends ScheduleExecutionSchema.class {}
ScheduleExecutionSchema.setClass(ScheduleExecution);
