// Every log line of a full flow — a PII-laden message, a crisis, the outreach it starts (SMS and email),
// a call request, bad webhooks — captured at trace level: none may carry PII or message content.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { startSafetyWorld, type SafetyWorld } from '../safety/harness.ts';
import { makeSafetyContact, makeUser, makeVoice } from '../entities/fixtures.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let world: SafetyWorld;
beforeAll(async () => {
  world = await startSafetyWorld({ logTo: capture });
});
afterAll(() => world.close());

const SECRETS = {
  userEmail: 'jane.piitest@example.com',
  userPhone: '+14155550134',
  userName: 'Janeth Piitestova',
  contactPhone: '+14155550199',
  contactEmail: 'sam.contactpii@example.com',
  contactName: 'Samwise',
  messageEmail: 'jane.private@example.org',
  messagePhone: '415 555 0177',
  messageStreet: '42 Elmwood Street',
  messageCard: '4111 1111 1111 1111',
  crisisWords: 'kill myself tonight',
  diaryWords: 'planted tomatoes with my sister',
};

it('no log line carries PII or message content', { timeout: 60_000 }, async () => {
  const em = world.platform.orm.em.fork();
  const user = await makeUser(em, {
    email: SECRETS.userEmail,
    phoneNumber: SECRETS.userPhone,
    fullName: SECRETS.userName,
  });
  await makeSafetyContact(em, user, {
    externalFirstName: SECRETS.contactName,
    externalPhoneNumber: SECRETS.contactPhone,
    externalEmail: SECRETS.contactEmail,
    allowedCommunicationMethods: ['sms', 'email'],
    preferredCommunicationMethod: 'sms',
  });
  const voice = await makeVoice(em);
  const auth = {
    authorization: `Bearer ${await userToken({ sub: user.id, email: SECRETS.userEmail })}`,
    'content-type': 'application/json',
  };
  const post = (path: string, body: unknown, headers = auth) =>
    world.platform.app.request(path, { method: 'POST', headers, body: JSON.stringify(body) });

  const conversation = await (await post('/v1/conversations', { title: 'Tuesday' })).json();
  const pii = `My email is ${SECRETS.messageEmail}, call me at ${SECRETS.messagePhone}, I live at ${SECRETS.messageStreet}, card ${SECRETS.messageCard}. I ${SECRETS.diaryWords}.`;
  expect((await post(`/v1/conversations/${conversation.id}/messages`, { content: pii, role: 'user' })).status).toBe(
    202,
  );
  expect(
    (
      await post(`/v1/conversations/${conversation.id}/messages`, {
        content: `I want to ${SECRETS.crisisWords}`,
        role: 'user',
      })
    ).status,
  ).toBe(202);
  expect((await post('/v1/conversations/not-a-uuid/messages', { content: pii, role: 'user' })).status).toBe(400);
  await post('/v1/calls', { assistant_id: voice.assistantId, phone_number: SECRETS.userPhone });
  await post(
    '/webhooks/vapi',
    { message: { type: 'status-update', customer: { number: SECRETS.userPhone } } },
    { 'content-type': 'application/json', authorization: '' },
  );
  await post(
    '/webhooks/supabase/auth-users',
    { type: 'INSERT', record: { email: SECRETS.userEmail, phone: SECRETS.userPhone } },
    { 'content-type': 'application/json', authorization: '' },
  );

  // The flow has run: memories extracted, the contact texted and emailed.
  await eventually(async () => (await world.platform.orm.em.fork().count(MemoryItem, { user: user.id })) > 0, 20_000);
  await eventually(async () => (await world.platform.orm.em.fork().count(ContactLog, { user: user.id })) > 0, 20_000);
  await eventually(async () => world.twilio.requests.length > 0, 20_000);

  expect(lines.length).toBeGreaterThan(10);
  const digits = (s: string) => s.replace(/\D/g, '');
  for (const line of lines) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(line.includes(secret), `${name} in log line: ${line.slice(0, 300)}`).toBe(false);
    }
    for (const phone of [SECRETS.userPhone, SECRETS.contactPhone, SECRETS.messagePhone]) {
      expect(digits(line).includes(digits(phone).slice(-10)), `phone digits in: ${line.slice(0, 300)}`).toBe(false);
    }
  }
});
