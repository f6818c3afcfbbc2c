// One message of a conversation. content is the raw text; processed_content the PII-redacted copy.
import { defineEntity, p } from '@mikro-orm/core';
import { MESSAGE_ROLES, MESSAGE_TYPES } from '../domain/enums.ts';
import type { PiiKind } from '../domain/enums.ts';
import { createdAt, generatedId, jsonList, nonNegativeInt, score, updatedAt } from './base.entity.ts';
import { Conversation } from './conversation.entity.ts';
import { User } from './user.entity.ts';

export const MessageSchema = defineEntity({
  name: 'Message',
  tableName: 'messages',
  indexes: [
    { name: 'messages_conversation_created_idx', properties: ['conversation', 'createdAt'] },
    { name: 'messages_user_created_idx', properties: ['user', 'createdAt'] },
  ],
  properties: {
    id: generatedId(),
    conversation: p.manyToOne(Conversation).deleteRule('cascade'),
    /** The conversation's owner (denormalized for per-user queries and the cascade). */
    user: p.manyToOne(User).deleteRule('cascade'),
    content: p.text(),
    role: p.enum(MESSAGE_ROLES),
    messageType: p.enum(MESSAGE_TYPES).default('text'),
    processedContent: p.text().nullable(),
    /** Kinds of PII found in content; [] = none found. */
    piiDetected: jsonList<PiiKind>('pii_detected'),
    /** Polarity, -1 (negative) to 1 (positive). */
    sentimentScore: score('sentiment_score', -1),
    crisisIndicators: jsonList<string>('crisis_indicators'),
    requiresIntervention: p.boolean().default(false),
    memoryExtracted: p.boolean().default(false),
    memoryItemsCreated: nonNegativeInt('memory_items_created').default(0),
    responseTimeMs: nonNegativeInt('response_time_ms').nullable(),
    modelUsed: p.text().nullable(),
    tokensUsed: nonNegativeInt('tokens_used').nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
