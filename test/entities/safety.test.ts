// safety_contacts, contact_logs.
import { randomUUID } from 'node:crypto';
import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { makeSafetyContact, makeUser, openTestOrm, reload } from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

describe('safety_contacts', () => {
  it('round-trips an external contact', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const contact = await makeSafetyContact(em, user, {
      externalLastName: 'Rivera',
      externalEmail: 'sam@example.test',
      allowedCommunicationMethods: ['sms', 'email'],
      preferredCommunicationMethod: 'sms',
      relationshipType: 'friend',
      notes: 'text first',
      preferredContactTime: { start: '09:00', end: '21:00' },
      timezone: 'America/New_York',
      isEmergencyContact: true,
      customMetadata: { consentedAt: '2026-01-01' },
    });
    const loaded = await reload(orm, SafetyContact, contact.id);
    expect(loaded).toMatchObject({
      contactUser: null,
      externalFirstName: 'Sam',
      externalLastName: 'Rivera',
      externalPhoneNumber: '+15555550199',
      externalEmail: 'sam@example.test',
      priorityOrder: 1,
      allowedCommunicationMethods: ['sms', 'email'],
      preferredCommunicationMethod: 'sms',
      relationshipType: 'friend',
      preferredContactTime: { start: '09:00', end: '21:00' },
      timezone: 'America/New_York',
      isActive: true,
      isEmergencyContact: true,
      lastContactedAt: null,
      customMetadata: { consentedAt: '2026-01-01' },
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);
  });

  it('round-trips an internal contact (another user) with no external details', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const friend = await makeUser(em);
    const contact = await makeSafetyContact(em, user, {
      contactUser: friend,
      externalFirstName: null,
      externalPhoneNumber: null,
      allowedCommunicationMethods: ['in_app'],
    });
    const loaded = await reload(orm, SafetyContact, contact.id);
    expect(loaded.contactUser?.id).toBe(friend.id);
    expect(loaded.externalFirstName).toBeNull();
  });

  it('rejects an unreachable active contact, oneself, priority 0, and a preferred method not allowed', async () => {
    const user = await makeUser(orm.em.fork());
    const attempt = (data: Parameters<typeof makeSafetyContact>[2]) => makeSafetyContact(orm.em.fork(), user, data);
    await expect(attempt({ externalPhoneNumber: null })).rejects.toThrow(CheckConstraintViolationException);
    await expect(attempt({ externalFirstName: null })).rejects.toThrow(CheckConstraintViolationException);
    await expect(attempt({ contactUser: user.id })).rejects.toThrow(CheckConstraintViolationException);
    await expect(attempt({ priorityOrder: 0 })).rejects.toThrow(CheckConstraintViolationException);
    await expect(attempt({ preferredCommunicationMethod: 'voice' })).rejects.toThrow(CheckConstraintViolationException);
    await expect(attempt({ allowedCommunicationMethods: 'sms' as never })).rejects.toThrow(
      CheckConstraintViolationException,
    );
    await expect(attempt({ preferredContactTime: ['09:00'] as never })).rejects.toThrow(
      CheckConstraintViolationException,
    );
  });

  it('rejects an unknown owner or internal contact', async () => {
    await expect(
      makeSafetyContact(orm.em.fork(), await makeUser(orm.em.fork()), { contactUser: randomUUID() }),
    ).rejects.toThrow(ForeignKeyConstraintViolationException);
    const orphan = orm.em.fork();
    orphan.create(SafetyContact, {
      user: randomUUID(),
      externalFirstName: 'A',
      externalEmail: 'a@example.test',
      priorityOrder: 1,
    });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });

  it('keeps priorities unique per user, and two can be swapped in one transaction', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const first = await makeSafetyContact(em, user, { priorityOrder: 1 });
    const second = await makeSafetyContact(em, user, { priorityOrder: 2 });
    await expect(makeSafetyContact(orm.em.fork(), user, { priorityOrder: 2 })).rejects.toThrow(
      UniqueConstraintViolationException,
    );

    first.priorityOrder = 2;
    second.priorityOrder = 1;
    await em.flush();
    expect((await reload(orm, SafetyContact, first.id)).priorityOrder).toBe(2);
    expect((await reload(orm, SafetyContact, second.id)).priorityOrder).toBe(1);

    // A reorder spread over several statements defers the check to the commit.
    await orm.em.fork().transactional(async (tx) => {
      await tx.execute('set constraints safety_contacts_user_priority_unique deferred');
      await tx.nativeUpdate(SafetyContact, { id: first.id }, { priorityOrder: 1 });
      await tx.nativeUpdate(SafetyContact, { id: second.id }, { priorityOrder: 2 });
    });
    expect((await reload(orm, SafetyContact, first.id)).priorityOrder).toBe(1);
  });

  it('when an internal contact deletes their account, the row stays, inactive and unlinked', async () => {
    const em = orm.em.fork();
    const owner = await makeUser(em);
    const friend = await makeUser(em);
    const contact = await makeSafetyContact(em, owner, {
      contactUser: friend,
      externalFirstName: null,
      externalPhoneNumber: null,
    });

    await orm.em.fork().nativeDelete(User, { id: friend.id });

    const loaded = await reload(orm, SafetyContact, contact.id);
    expect(loaded).toMatchObject({ contactUser: null, isActive: false });
    expect(loaded.user.id).toBe(owner.id);
    // An inactive unlinked row cannot be re-activated without external details.
    const writer = orm.em.fork();
    const again = await writer.findOneOrFail(SafetyContact, contact.id);
    again.isActive = true;
    await expect(writer.flush()).rejects.toThrow(CheckConstraintViolationException);
  });
});

describe('contact_logs', () => {
  it('round-trips an attempt', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const contact = await makeSafetyContact(em, user);
    const attemptedAt = new Date('2026-08-01T20:00:00.000Z');
    const log = em.create(ContactLog, {
      safetyContact: contact,
      user,
      attemptedAt,
      contactMethod: 'sms',
      success: true,
      reason: 'crisis_detected',
      initiatedBy: 'escalation',
      responseReceived: true,
      responseTimeMinutes: 7,
      responseSummary: 'on the way',
      messageContent: 'Your friend may need you.',
      contactMetadata: { provider: 'twilio', sid: 'SM1' },
    });
    await em.flush();
    const loaded = await reload(orm, ContactLog, log.id);
    expect(loaded).toMatchObject({
      contactMethod: 'sms',
      success: true,
      reason: 'crisis_detected',
      initiatedBy: 'escalation',
      responseReceived: true,
      responseTimeMinutes: 7,
      contactMetadata: { provider: 'twilio', sid: 'SM1' },
    });
    expect(loaded.attemptedAt).toEqual(attemptedAt);
    expect(loaded.safetyContact?.id).toBe(contact.id);
  });

  it('rejects a response time without a response, an unknown initiator and an unknown contact', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const contact = await makeSafetyContact(em, user);
    const noResponse = orm.em.fork();
    noResponse.create(ContactLog, {
      safetyContact: contact.id,
      user: user.id,
      contactMethod: 'voice',
      success: false,
      initiatedBy: 'system',
      responseTimeMinutes: 3,
    });
    await expect(noResponse.flush()).rejects.toThrow(CheckConstraintViolationException);

    await expect(
      orm.em
        .fork()
        .execute(
          `insert into contact_logs (user_id, contact_method, success, initiated_by) values (?, 'sms', true, 'robot')`,
          [user.id],
        ),
    ).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(ContactLog, {
      safetyContact: randomUUID(),
      user: user.id,
      contactMethod: 'sms',
      success: true,
      initiatedBy: 'user',
    });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });

  it('outlives the contact row (set null)', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const contact = await makeSafetyContact(em, user);
    const log = em.create(ContactLog, {
      safetyContact: contact,
      user,
      contactMethod: 'sms',
      success: true,
      initiatedBy: 'system',
    });
    await em.flush();
    await orm.em.fork().nativeDelete(SafetyContact, { id: contact.id });
    const loaded = await reload(orm, ContactLog, log.id);
    expect(loaded.safetyContact).toBeNull();
    expect(loaded.user.id).toBe(user.id);
  });
});
