// The Vapi assistants a user can talk to. Retire one with is_active = false: calls and schedules keep
// referencing it by assistant_id, so a referenced row cannot be deleted.
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, generatedId } from './base.entity.ts';

export const VoiceSchema = defineEntity({
  name: 'Voice',
  tableName: 'voices',
  properties: {
    id: generatedId(),
    name: p.text(),
    /** The Vapi assistant id. */
    assistantId: p.text().unique('voices_assistant_id_unique'),
    description: p.text().nullable(),
    sampleUrl: p.text().nullable(),
    isActive: p.boolean().default(true),
    createdAt: createdAt(),
  },
});
export class Voice extends VoiceSchema.class {}
VoiceSchema.setClass(Voice);
