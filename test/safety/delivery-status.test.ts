// Twilio status callbacks arrive in any order and more than once (Twilio does not order them): the
// recorded delivery status of an attempt must end at the message's last state, never move back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { applySmsStatus } from '../../src/safety/delivery-status.ts';
import { makeSafetyContact, makeUser, openTestOrm, reload } from '../entities/fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

/** A sent outreach SMS (state sent, Twilio's sid) of an incident that is no longer at that step. */
async function sentText() {
  const em = orm.em.fork();
  const user = await makeUser(em);
  const contact = await makeSafetyContact(em, user);
  const log = em.create(ContactLog, {
    user,
    safetyContact: contact,
    contactMethod: 'sms',
    success: true,
    initiatedBy: 'system',
    contactMetadata: { state: 'sent', provider_id: 'SM123', incident_id: randomUUID(), step: 0 },
  });
  await em.flush();
  return log.id;
}

const callback = (logId: string, status: string) =>
  applySmsStatus(orm.em.fork(), logId, {
    MessageSid: 'SM123',
    MessageStatus: status,
    ...(status === 'undelivered' ? { ErrorCode: '30003' } : {}),
  });

describe('Twilio delivery status out of order', () => {
  it('a late `sent` does not hide `delivered` or `undelivered`', async () => {
    const delivered = await sentText();
    for (const s of ['sent', 'delivered', 'sent', 'queued']) await callback(delivered, s);
    expect((await reload(orm, ContactLog, delivered)).contactMetadata.delivery_status).toBe('delivered');

    const undelivered = await sentText();
    for (const s of ['undelivered', 'sent', 'undelivered', 'sending']) await callback(undelivered, s);
    expect(await reload(orm, ContactLog, undelivered)).toMatchObject({
      success: false,
      errorMessage: 'twilio undelivered code 30003',
      contactMetadata: expect.objectContaining({ delivery_status: 'undelivered' }),
    });
  });

  it('concurrent callbacks of one message end at its last state', async () => {
    const id = await sentText();
    await Promise.all(['sent', 'undelivered', 'sent', 'undelivered', 'sent'].map((s) => callback(id, s)));
    expect((await reload(orm, ContactLog, id)).contactMetadata.delivery_status).toBe('undelivered');
  });
});
