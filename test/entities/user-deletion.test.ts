// What deleting a users row does to every table (docs/data-model.md, "Deleting a user").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { UserSession } from '../../src/entities/user-session.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { VoiceSchedule } from '../../src/entities/voice-schedule.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import {
  makeConversation,
  makeMessage,
  makeSafetyContact,
  makeSchedule,
  makeUser,
  makeVoice,
  makeVoiceCall,
  openTestOrm,
  uniqueSuffix,
} from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

describe('deleting a user', () => {
  it('cascades to their own content, keeps the audit rows unlinked, and leaves other users whole', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const other = await makeUser(em);
    const voice = await makeVoice(em);

    em.create(UserServiceProfile, { user, serviceType: 'chat' });
    em.create(UserSession, {
      user,
      sessionToken: uniqueSuffix(),
      serviceType: 'chat',
      expiresAt: new Date(Date.now() + 60_000),
    });
    em.create(UserPrivacySettings, { user });
    const syncLog = em.create(UserSyncLog, { user, syncType: 'create', source: 'webhook', success: true });
    const event = em.create(SystemEvent, { user, eventType: 'user.created', eventCategory: 'user' });
    const conversation = await makeConversation(em, user);
    const message = await makeMessage(em, conversation);
    em.create(MemoryItem, { user, conversation, message, content: 'x', memoryType: 'event' });
    em.create(ConversationSummary, { conversation, user, summary: 'x' });
    const call = await makeVoiceCall(em, user, voice);
    em.create(CallSummary, { call, user });
    em.create(VoiceSchedule, { user, voice, name: 'x', cronExpression: '0 9 * * *' });
    const schedule = await makeSchedule(em, user);
    em.create(ScheduleExecution, { schedule, executedAt: new Date() });
    const ownContact = await makeSafetyContact(em, user);
    em.create(ContactLog, {
      safetyContact: ownContact,
      user,
      contactMethod: 'sms',
      success: true,
      initiatedBy: 'system',
    });
    // Someone else lists this user as their internal contact, and has an external one too.
    const theirContact = await makeSafetyContact(em, other, {
      contactUser: user,
      externalFirstName: null,
      externalPhoneNumber: null,
    });
    const theirExternal = await makeSafetyContact(em, other, { priorityOrder: 2 });
    const theirConversation = await makeConversation(em, other);
    await em.flush();

    expect(await orm.em.fork().nativeDelete(User, { id: user.id })).toBe(1);

    const check = orm.em.fork();
    const owned = { user: user.id };
    // cascade: the user's own content
    expect(await check.count(UserServiceProfile, owned)).toBe(0);
    expect(await check.count(UserSession, owned)).toBe(0);
    expect(await check.count(UserPrivacySettings, owned)).toBe(0);
    expect(await check.count(Conversation, owned)).toBe(0);
    expect(await check.count(Message, owned)).toBe(0);
    expect(await check.count(MemoryItem, owned)).toBe(0);
    expect(await check.count(ConversationSummary, owned)).toBe(0);
    expect(await check.count(VoiceCall, owned)).toBe(0);
    expect(await check.count(CallSummary, owned)).toBe(0);
    expect(await check.count(VoiceSchedule, owned)).toBe(0);
    expect(await check.count(Schedule, owned)).toBe(0);
    expect(await check.count(ScheduleExecution, { schedule: schedule.id })).toBe(0);
    expect(await check.count(SafetyContact, owned)).toBe(0);
    expect(await check.count(ContactLog, owned)).toBe(0);
    // set null: the audit trail stays, unlinked
    expect((await check.findOneOrFail(UserSyncLog, syncLog.id)).user).toBeNull();
    expect((await check.findOneOrFail(SystemEvent, event.id)).user).toBeNull();
    // another user's contact row pointing at the deleted user: kept, deactivated, unlinked
    expect(await check.findOneOrFail(SafetyContact, theirContact.id)).toMatchObject({
      contactUser: null,
      isActive: false,
    });
    expect(await check.findOneOrFail(SafetyContact, theirExternal.id)).toMatchObject({ isActive: true });
    // shared and unrelated rows are untouched
    expect(await check.findOne(Voice, voice.id)).not.toBeNull();
    expect(await check.findOne(User, other.id)).not.toBeNull();
    expect(await check.findOne(Conversation, theirConversation.id)).not.toBeNull();
  });
});
