// A recurring outbound voice call (cron in the user's timezone). The clock picks rows due by next_run_at.
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, generatedId, jsonObject, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';
import { Voice } from './voice.entity.ts';

export const VoiceScheduleSchema = defineEntity({
  name: 'VoiceSchedule',
  tableName: 'voice_schedules',
  indexes: [
    { name: 'voice_schedules_due_idx', properties: ['nextRunAt'], where: { isActive: true } },
    { name: 'voice_schedules_user_idx', properties: ['user'] },
    { name: 'voice_schedules_assistant_idx', properties: ['voice'] },
  ],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    /**
     * The assistant, referenced by voices.assistant_id (column assistant_id). Assign a loaded Voice
     * (`em.findOneOrFail(Voice, { assistantId })`): a reference made from voices.id carries no assistant_id.
     */
    voice: p.manyToOne(Voice).targetKey('assistantId').joinColumn('assistant_id'),
    name: p.text(),
    cronExpression: p.text(),
    /** IANA zone the cron expression is read in. */
    timezone: p.text().default('UTC'),
    nextRunAt: p.datetime().nullable(),
    lastRunAt: p.datetime().nullable(),
    isActive: p.boolean().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    customMetadata: jsonObject(),
  },
});
export class VoiceSchedule extends VoiceScheduleSchema.class {}
VoiceScheduleSchema.setClass(VoiceSchedule);
