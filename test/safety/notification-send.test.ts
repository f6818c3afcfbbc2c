// notification-send: a check-up reminder by SMS (fake Twilio) or email (real SMTP server), at most once
// per (channel, template, ref_id); a provider failure retries; a user without an address is a no-op.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/platform.ts';
import { makeUser } from '../entities/fixtures.ts';
import { processNotificationSend } from '../../src/workers/notification-send.ts';
import { jobContext, startSafetyWorld, type SafetyWorld } from './harness.ts';
import { queued } from '../support/fake-twilio.ts';

let world: SafetyWorld;
beforeAll(async () => {
  world = await startSafetyWorld({ workers: false });
});
afterAll(() => world?.close());

describe('notification-send', () => {
  it('texts and emails the user once per reference, with the reminder template', async () => {
    const number = `+4915${randomInt(10_000_000, 99_999_999)}`;
    const user = await makeUser(world.platform.orm.em.fork(), {
      displayName: 'Robin',
      phoneNumber: number,
      phoneConfirmedAt: new Date(),
      emailConfirmedAt: new Date(),
    });
    const payload = { user_id: user.id, channel: 'sms', template: 'checkin_reminder', ref_id: randomUUID() } as const;
    // Two deliveries of the same job at once (a stalled job re-run while the first still runs): one text.
    const both = await Promise.all([
      processNotificationSend(payload, jobContext(world.platform)),
      processNotificationSend(payload, jobContext(world.platform)),
    ]);
    expect(both).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sent: true, provider_id: expect.stringMatching(/^SM/) }),
        { skipped: 'already_sent' },
      ]),
    );
    expect(await processNotificationSend(payload, jobContext(world.platform))).toEqual({ skipped: 'already_sent' });
    const texts = world.twilio.requests.filter((r) => r.form.To === number);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.form.Body).toContain('Hi Robin, it is time for your check-in');

    const email = { ...payload, channel: 'email', ref_id: randomUUID() } as const;
    await processNotificationSend(email, jobContext(world.platform));
    const mail = await eventually(async () => world.smtp.mails.find((m) => m.to.includes(user.email!)));
    expect(mail.raw).toContain('Your Hearth check-in');
  });

  it('a provider failure throws (BullMQ retries) and the retry sends; no address is a no-op', async () => {
    const number = `+4915${randomInt(10_000_000, 99_999_999)}`;
    const user = await makeUser(world.platform.orm.em.fork(), { phoneNumber: number, phoneConfirmedAt: new Date() });
    const payload = { user_id: user.id, channel: 'sms', template: 'checkin_reminder', ref_id: randomUUID() } as const;
    world.twilio.respond = () => ({ status: 503, body: { code: 20503 } });
    await expect(processNotificationSend(payload, jobContext(world.platform))).rejects.toThrow(/twilio 503/);
    world.twilio.respond = queued;
    expect(await processNotificationSend(payload, jobContext(world.platform))).toMatchObject({ sent: true });
    expect(world.twilio.requests.filter((r) => r.form.To === number)).toHaveLength(2);

    const silent = await makeUser(world.platform.orm.em.fork(), { phoneNumber: null });
    expect(await processNotificationSend({ ...payload, user_id: silent.id }, jobContext(world.platform))).toEqual({
      skipped: 'no_address',
    });
  });
});
