// The voice preferences other code acts on, read from the user's voice service profile.
import type { EntityManager } from '@mikro-orm/postgresql';
import { readVoicePreferences } from '../domain/service-preferences.ts';
import { UserServiceProfile } from '../entities/user-service-profile.entity.ts';
import { Voice } from '../entities/voice.entity.ts';

export async function voicePreferences(em: EntityManager, userId: string) {
  const profile = await em.findOne(UserServiceProfile, { user: userId, serviceType: 'voice' });
  return readVoicePreferences(profile?.servicePreferences);
}

/** The user's preferred assistant id, if it names a voice that is still active. */
export async function preferredVoice(em: EntityManager, userId: string): Promise<string | null> {
  const preferred = (await voicePreferences(em, userId)).preferred_voice;
  if (!preferred) return null;
  return (await em.count(Voice, { assistantId: preferred, isActive: true })) ? preferred : null;
}
