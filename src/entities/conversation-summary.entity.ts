// A summary of a conversation (several per conversation as it grows; the newest wins).
import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, generatedId, jsonList, jsonObject, score, updatedAt } from './base.entity.ts';
import { Conversation } from './conversation.entity.ts';
import { User } from './user.entity.ts';

export const ConversationSummarySchema = defineEntity({
  name: 'ConversationSummary',
  tableName: 'conversation_summaries',
  indexes: [
    { name: 'conversation_summaries_conversation_created_idx', properties: ['conversation', 'createdAt'] },
    { name: 'conversation_summaries_user_created_idx', properties: ['user', 'createdAt'] },
  ],
  properties: {
    id: generatedId(),
    conversation: p.manyToOne(Conversation).deleteRule('cascade'),
    user: p.manyToOne(User).deleteRule('cascade'),
    summary: p.text(),
    keyTopics: jsonList<string>('key_topics'),
    emotionalThemes: jsonList<string>('emotional_themes'),
    actionItems: jsonList<string>('action_items'),
    /** Polarity, -1 (negative) to 1 (positive). */
    sentimentOverall: score('sentiment_overall', -1),
    crisisIndicators: jsonList<string>('crisis_indicators'),
    therapeuticProgress: p.text().nullable(),
    summaryMetadata: jsonObject(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export class ConversationSummary extends ConversationSummarySchema.class {}
ConversationSummarySchema.setClass(ConversationSummary);
