// The analysis of one voice call (never the transcript). One per call, so the end-of-call report is idempotent.
import { defineEntity, p } from '@mikro-orm/core';
import { SENTIMENT_LABELS } from '../domain/enums.ts';
import { createdAt, generatedId, jsonList, jsonObject, nonNegativeInt } from './base.entity.ts';
import { User } from './user.entity.ts';
import { VoiceCall } from './voice-call.entity.ts';

export const CallSummarySchema = defineEntity({
  name: 'CallSummary',
  tableName: 'call_summaries',
  indexes: [{ name: 'call_summaries_user_created_idx', properties: ['user', 'createdAt'] }],
  properties: {
    id: generatedId(),
    call: p.oneToOne(VoiceCall).owner().deleteRule('cascade'),
    user: p.manyToOne(User).deleteRule('cascade'),
    summaryJson: jsonObject(),
    durationSeconds: nonNegativeInt('duration_seconds').nullable(),
    sentiment: p.enum(SENTIMENT_LABELS).nullable(),
    keyTopics: jsonList<string>('key_topics'),
    actionItems: jsonList<string>('action_items'),
    crisisIndicators: jsonList<string>('crisis_indicators'),
    emotionalState: p.text().nullable(),
    createdAt: createdAt(),
  },
});
export class CallSummary extends CallSummarySchema.class {}
CallSummarySchema.setClass(CallSummary);
