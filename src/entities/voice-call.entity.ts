// One Vapi call. The row is written before the call is placed; vapi_call_id is filled from Vapi's answer.
import { defineEntity, p } from '@mikro-orm/core';
import { CALL_CHANNELS, CALL_STATUSES } from '../domain/enums.ts';
import { createdAt, generatedId, jsonObject } from './base.entity.ts';
import { User } from './user.entity.ts';
import { Voice } from './voice.entity.ts';

export interface VoiceCallMetadata {
  purpose?: string;
  schedule_execution_id?: string | null;
  [key: string]: unknown;
}

export const VoiceCallSchema = defineEntity({
  name: 'VoiceCall',
  tableName: 'voice_calls',
  indexes: [
    { name: 'voice_calls_user_created_idx', properties: ['user', 'createdAt'] },
    { name: 'voice_calls_assistant_idx', properties: ['voice'] },
  ],
  checks: [
    { name: 'voice_calls_phone_number_check', expression: "channel = 'web' or phone_number is not null" },
    // Only a call Hearth did not place can come from someone who is not a user (an unknown caller).
    { name: 'voice_calls_user_check', expression: "user_id is not null or channel = 'inbound_phone'" },
    {
      name: 'voice_calls_ended_after_started_check',
      expression: 'ended_at is null or started_at is null or ended_at >= started_at',
    },
  ],
  properties: {
    id: generatedId(),
    /** Vapi's call id; null until Vapi has answered the create request. */
    vapiCallId: p.text().nullable().unique('voice_calls_vapi_call_id_unique'),
    /** Null only for an inbound call from a number that is no user's verified phone. */
    user: p.manyToOne(User).nullable().deleteRule('cascade'),
    /**
     * The assistant, referenced by voices.assistant_id (column assistant_id). Assign a loaded Voice
     * (`em.findOneOrFail(Voice, { assistantId })`): a reference made from voices.id carries no assistant_id.
     */
    voice: p.manyToOne(Voice).targetKey('assistantId').joinColumn('assistant_id'),
    channel: p.enum(CALL_CHANNELS),
    status: p.enum(CALL_STATUSES).default('queued'),
    /** E.164; required except for web calls. */
    phoneNumber: p.text().nullable(),
    startedAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    /** USD. */
    costTotal: p.decimal('number').precision(12).scale(4).nullable().check('cost_total >= 0'),
    costBreakdown: jsonObject(),
    /** Vapi's endedReason (an open set of hundreds of codes), set by the end-of-call report. */
    endedReason: p.text().nullable(),
    /**
     * Set before each create-call request and echoed to Vapi in assistantOverrides.metadata: a retry that
     * finds an attempt key but no vapi_call_id asks Vapi whether that attempt created a call before it
     * creates one (src/workers/vapi-call.ts).
     */
    attemptKey: p.text().nullable(),
    attemptedAt: p.datetime().nullable(),
    /** Why placing the call failed or was retried (status codes and Vapi's message, no numbers). */
    lastError: p.text().nullable(),
    /** Ids and flags about the call: purpose, schedule_execution_id. Never content. */
    metadata: jsonObject<VoiceCallMetadata>(),
  },
});
export class VoiceCall extends VoiceCallSchema.class {}
VoiceCallSchema.setClass(VoiceCall);
