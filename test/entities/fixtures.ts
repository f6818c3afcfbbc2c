// Valid rows for the entity tests (and anyone else's). Each helper persists and flushes through the given
// EntityManager, uses random ids so test files can share the run's database, and takes overrides.
import { randomUUID } from 'node:crypto';
import type { EntityClass, FilterQuery, RequiredEntityData } from '@mikro-orm/core';
import { initOrm } from '../../src/db/orm.ts';
import type { EntityManager, Orm } from '../../src/db/orm.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';

/** An ORM on this run's (already migrated) database; close it in afterAll. */
export function openTestOrm(): Promise<Orm> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through vitest (npm test)');
  return initOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: 4 });
}

type Overrides<T extends object> = Partial<RequiredEntityData<T>>;

/** A short random suffix for values that must be unique (emails, assistant ids, tokens). */
export const uniqueSuffix = () => randomUUID().slice(0, 8);

export async function makeUser(em: EntityManager, data: Overrides<User> = {}): Promise<User> {
  const id = randomUUID();
  const user = em.create(User, { id, email: `user-${id}@example.test`, displayName: 'Test User', ...data });
  await em.flush();
  return user;
}

export async function makeConversation(em: EntityManager, user: User, data: Overrides<Conversation> = {}) {
  const conversation = em.create(Conversation, { user, title: 'Evening check-in', ...data });
  await em.flush();
  return conversation;
}

export async function makeMessage(em: EntityManager, conversation: Conversation, data: Overrides<Message> = {}) {
  const message = em.create(Message, {
    conversation,
    user: conversation.user,
    role: 'user',
    content: 'I slept badly again.',
    ...data,
  });
  await em.flush();
  return message;
}

/** A memory as the extraction worker would leave it (no embedding). */
export async function makeMemory(em: EntityManager, user: User, data: Overrides<MemoryItem> = {}) {
  const memory = em.create(MemoryItem, {
    user,
    content: 'Likes long walks by the sea.',
    memoryType: 'preference',
    ...data,
  });
  await em.flush();
  return memory;
}

export async function makeVoice(em: EntityManager, data: Overrides<Voice> = {}): Promise<Voice> {
  const voice = em.create(Voice, { name: 'Hazel', assistantId: `asst_${uniqueSuffix()}`, ...data });
  await em.flush();
  return voice;
}

export async function makeVoiceCall(em: EntityManager, user: User, voice: Voice, data: Overrides<VoiceCall> = {}) {
  const call = em.create(VoiceCall, {
    user,
    voice,
    channel: 'outbound_phone',
    phoneNumber: '+15555550100',
    vapiCallId: `call_${randomUUID()}`,
    ...data,
  });
  await em.flush();
  return call;
}

export async function makeSchedule(em: EntityManager, user: User, data: Overrides<Schedule> = {}) {
  const schedule = em.create(Schedule, {
    user,
    name: 'Morning check-in',
    scheduleType: 'chat',
    cronExpression: '0 9 * * *',
    timezone: 'Europe/Berlin',
    nextRunAt: new Date(Date.now() + 3_600_000),
    ...data,
  });
  await em.flush();
  return schedule;
}

/** An external safety contact (name + phone) with the next free priority unless given. */
export async function makeSafetyContact(em: EntityManager, user: User, data: Overrides<SafetyContact> = {}) {
  const contact = em.create(SafetyContact, {
    user,
    externalFirstName: 'Sam',
    externalPhoneNumber: '+15555550199',
    priorityOrder: 1,
    allowedCommunicationMethods: ['sms'],
    ...data,
  });
  await em.flush();
  return contact;
}

/** Reads a row back through a fresh fork, so nothing comes from the identity map of the writer. */
export function reload<T extends { id: string }>(
  orm: Orm,
  entity: EntityClass<T>,
  id: string,
  options: { populate?: string[] } = {},
): Promise<T> {
  return orm.em.fork().findOneOrFail(entity, { id } as FilterQuery<NoInfer<T>>, options as never) as Promise<T>;
}
