// A chat (or voice, or check-in) session of one user.
import { defineEntity, p } from '@mikro-orm/core';
import { CONVERSATION_STATUSES, CRISIS_LEVELS, SESSION_TYPES } from '../domain/enums.ts';
import { createdAt, generatedId, nonNegativeInt, updatedAt } from './base.entity.ts';
import { User } from './user.entity.ts';

export const ConversationSchema = defineEntity({
  name: 'Conversation',
  tableName: 'conversations',
  indexes: [{ name: 'conversations_user_created_idx', properties: ['user', 'createdAt'] }],
  properties: {
    id: generatedId(),
    user: p.manyToOne(User).deleteRule('cascade'),
    title: p.text().nullable(),
    description: p.text().nullable(),
    sessionType: p.enum(SESSION_TYPES).default('chat'),
    status: p.enum(CONVERSATION_STATUSES).default('active'),
    crisisLevel: p.enum(CRISIS_LEVELS).default('none'),
    safetyPlanTriggered: p.boolean().default(false),
    messageCount: nonNegativeInt('message_count').default(0),
    /** Whole minutes, rounded up. */
    totalDurationMinutes: nonNegativeInt('total_duration_minutes').default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastMessageAt: p.datetime().nullable(),
  },
});
export class Conversation extends ConversationSchema.class {}
ConversationSchema.setClass(Conversation);
