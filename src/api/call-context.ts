// What an assistant is told about the user at the start of a call Hearth did not place (inbound, web):
// their name, language and the latest conversation summary, as Vapi variableValues ({{user_name}} …).
// The assistant chosen: the user's preferred voice, else the one of their latest call.
import type { EntityManager } from '@mikro-orm/postgresql';
import { personName } from '../domain/outreach-templates.ts';
import { preferredVoice, voicePreferences } from '../db/voice-preferences.ts';
import { ConversationSummary } from '../entities/conversation-summary.entity.ts';
import type { User } from '../entities/user.entity.ts';
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { Voice } from '../entities/voice.entity.ts';

/** The user's assistant: preferred_voice, else the active assistant of their latest call; null if neither. */
export async function usersAssistant(em: EntityManager, userId: string): Promise<Voice | null> {
  const preferred = await preferredVoice(em, userId);
  if (preferred) return em.findOne(Voice, { assistantId: preferred });
  const last = await em.findOne(
    VoiceCall,
    { user: userId, voice: { isActive: true } },
    { orderBy: { createdAt: 'desc' }, populate: ['voice'] },
  );
  return last?.voice ?? null;
}

/** Vapi variableValues for this user's call. */
export async function callVariables(em: EntityManager, user: User): Promise<Record<string, string>> {
  const { language } = await voicePreferences(em, user.id);
  const latest = await em.findOne(ConversationSummary, { user }, { orderBy: { createdAt: 'desc' } });
  return {
    user_name: personName(user),
    ...(language ? { language } : {}),
    ...(latest?.summary ? { last_summary: latest.summary.slice(0, 2000) } : {}),
  };
}
