// The outreach job path end to end: triggers → incident → attempts through a fake Twilio and a real SMTP
// server, escalation by delayed jobs, acknowledgement, failures, retries, dedupe, exhaustion.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/platform.ts';
import { queued } from '../support/fake-twilio.ts';
import { makeSafetyContact, makeUser, makeVoice } from '../entities/fixtures.ts';
import { SafetyIncident } from '../../src/entities/safety-incident.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { acknowledgeIncident } from '../../src/safety/acknowledge.ts';
import { processSafetyEscalate } from '../../src/workers/safety-escalate.ts';
import { attemptLogId } from '../../src/safety/attempts.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { safetyEscalate } from '../../src/queues/safety-escalate.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import {
  attemptsOf,
  incidentsOf,
  jobContext,
  raiseTrigger,
  startSafetyWorld,
  waitForIncident,
  TWILIO_SID,
  type SafetyWorld,
} from './harness.ts';

let world: SafetyWorld;
const failing = new Set<string>();
const phone = () => `+4915${randomInt(10_000_000, 99_999_999)}`;
const smsTo = (to: string) => world.twilio.requests.filter((r) => r.form.To === to);
const mailsTo = (to: string) => world.smtp.mails.filter((m) => m.to.includes(to));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves once the safety-escalate job of `step` has run: what it did (or did not do) is then final. */
const stepRan = (incidentId: string, step: number) =>
  eventually(async () => {
    const job = await world.platform.producer
      .queue(safetyEscalate)
      .getJob(outboxJobId(safetyEscalate, `${incidentId}:${step}`));
    return job && (await job.getState()) === 'completed';
  }, 30_000);

beforeAll(async () => {
  world = await startSafetyWorld();
  world.twilio.respond = (form) =>
    failing.has(form.To!) ? { status: 500, body: { code: 20500, message: 'Internal Server Error' } } : queued(form);
});
afterAll(() => world?.close());

async function userWith(contacts: Parameters<typeof makeSafetyContact>[2][]) {
  const em = world.platform.orm.em.fork();
  const user = await makeUser(em, { displayName: 'Robin' });
  const rows = [];
  for (const [i, c] of contacts.entries())
    rows.push(await makeSafetyContact(em, user, { priorityOrder: i + 1, externalPhoneNumber: phone(), ...c }));
  return { user, contacts: rows };
}

describe('safety outreach', () => {
  it('contacts by priority on the preferred allowed channel, logs every attempt, escalates, then exhausts with a critical event', async () => {
    const { user, contacts } = await userWith([
      { priorityOrder: 2 },
      {
        priorityOrder: 1,
        externalEmail: `b-${randomUUID()}@example.test`,
        allowedCommunicationMethods: ['sms', 'email'],
        preferredCommunicationMethod: 'email',
      },
    ]);
    const [second, first] = contacts as [SafetyContact, SafetyContact];
    const started = Date.now();
    await raiseTrigger(world.platform, user.id, { level: 'high' });

    const mail = await eventually(async () => mailsTo(first.externalEmail!)[0]);
    expect(mail.raw).toContain('Robin');
    expect(mail.raw).toContain('/v1/safety/incidents/');
    expect(smsTo(second.externalPhoneNumber!)).toHaveLength(0); // not before the escalation delay

    const sms = await eventually(async () => smsTo(second.externalPhoneNumber!)[0], 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(sms.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
    expect(sms.authorization).toMatch(/^Basic /);
    expect(sms.form.Body).toContain('Robin chose you');
    expect(sms.form.Body).not.toMatch(/crisis|suicid|harm|critical|high/i);
    expect(sms.form.StatusCallback).toMatch(/^https:\/\/hearth\.example\.test\/webhooks\/twilio\/status\?log=/);

    const incident = await eventually(
      async () => (await incidentsOf(world.platform, user.id)).find((i) => i.status === 'exhausted'),
      15_000,
    );
    const event = await world.platform.orm.em
      .fork()
      .findOneOrFail(SystemEvent, { user: user.id, eventType: 'safety.outreach_exhausted' });
    expect(event.severity).toBe('critical');
    expect(event.eventData).toMatchObject({ incident_id: incident.id, delivered_attempts: 2 });

    const attempts = await attemptsOf(world.platform, user.id);
    expect(attempts.map((a) => [a.safetyContact?.id, a.contactMethod, a.success, a.initiatedBy])).toEqual([
      [first.id, 'email', true, 'system'],
      [second.id, 'sms', true, 'escalation'],
    ]);
    expect(attempts[1]!.contactMetadata).toMatchObject({
      incident_id: incident.id,
      state: 'sent',
      provider_id: expect.stringMatching(/^SM/),
    });
    expect(attempts[1]!.messageContent).toContain('[acknowledge link]');
    expect(attempts[1]!.messageContent).not.toContain('token=');
    const reloaded = await world.platform.orm.em.fork().findOneOrFail(SafetyContact, second.id);
    expect(reloaded).toMatchObject({ lastContactMethod: 'sms', lastContactSuccessful: true });
    expect(reloaded.lastContactedAt).toBeInstanceOf(Date);
  });

  it('acknowledgement stops escalation', async () => {
    const { user, contacts } = await userWith([{}, {}]);
    await raiseTrigger(world.platform, user.id, { level: 'critical' });
    await eventually(async () => smsTo(contacts[0]!.externalPhoneNumber!)[0]);
    const incident = await waitForIncident(world.platform, user.id);
    const acked = await acknowledgeIncident(world.platform.orm.em.fork(), incident.id, { contactId: contacts[0]!.id });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: `contact:${contacts[0]!.id}` });
    // Not a sleep: the escalation step that would text the second contact runs (after its delay) and stops.
    await stepRan(incident.id, 1);
    expect(smsTo(contacts[1]!.externalPhoneNumber!)).toHaveLength(0);
    const [attempt] = await attemptsOf(world.platform, user.id);
    expect(attempt).toMatchObject({ responseReceived: true, responseSummary: 'acknowledged' });
    expect(
      await world.platform.orm.em.fork().count(SystemEvent, { user: user.id, eventType: 'safety.outreach_exhausted' }),
    ).toBe(0);
  });

  it('a failed send moves to the next method at once, then the next contact; all failing → exhausted + critical event', async () => {
    const a = phone();
    const b = phone();
    failing.add(a).add(b);
    const email = `a-${randomUUID()}@example.test`;
    const { user } = await userWith([
      { externalPhoneNumber: a, externalEmail: email, allowedCommunicationMethods: ['sms', 'email'] },
      { externalPhoneNumber: b },
    ]);
    // The email fails too: the SMTP server refuses mail while this test runs (tests in a file run one by one).
    world.smtp.rejectWith = 550;
    await raiseTrigger(world.platform, user.id, { level: 'high' });
    const exhausted = await eventually(
      async () => (await incidentsOf(world.platform, user.id)).find((i) => i.status === 'exhausted'),
      30_000,
    );
    world.smtp.rejectWith = null;
    // No escalation delay after a failure: every step after the first was enqueued without one (a wall-clock
    // bound said the same, and broke on a busy machine).
    const steps = await world.platform.orm.em
      .fork()
      .find(OutboxJob, { queue: safetyEscalate.name, payload: { incident_id: exhausted.id } });
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.filter((s) => s.payload.step !== 0).map((s) => s.options?.delay ?? 0)).toEqual(
      steps.filter((s) => s.payload.step !== 0).map(() => 0),
    );
    const attempts = await attemptsOf(world.platform, user.id);
    expect(attempts.map((x) => [x.contactMethod, x.success])).toEqual([
      ['sms', false],
      ['email', false],
      ['sms', false],
    ]);
    expect(attempts[0]!.errorMessage).toMatch(/twilio 500/);
    expect(attempts[1]!.errorMessage).toMatch(/smtp 550/);
    const event = await world.platform.orm.em
      .fork()
      .findOneOrFail(SystemEvent, { user: user.id, eventType: 'safety.outreach_exhausted' });
    expect(event).toMatchObject({
      severity: 'critical',
      eventData: expect.objectContaining({ delivered_attempts: 0, planned_attempts: 3 }),
    });
    // The operator's board: the exhaustion step sits in the Failed list with a plain reason.
    const failed = await eventually(async () =>
      (await world.platform.producer.queue(safetyEscalate).getFailed()).find(
        (j) => j.data.incident_id === event.eventData.incident_id,
      ),
    );
    expect(failed.failedReason).toMatch(/safety outreach exhausted: nobody acknowledged/);
  });

  it('a user without reachable contacts is exhausted at once (never silent)', async () => {
    const { user } = await userWith([{ allowedCommunicationMethods: ['in_app'] }]);
    await raiseTrigger(world.platform, user.id);
    await eventually(async () =>
      world.platform.orm.em
        .fork()
        .findOne(SystemEvent, { user: user.id, eventType: 'safety.outreach_exhausted', severity: 'critical' }),
    );
  });

  it('repeated triggers join the open incident: one incident, one first message', async () => {
    const { user, contacts } = await userWith([{}]);
    const first = await raiseTrigger(world.platform, user.id);
    await raiseTrigger(world.platform, user.id, { sourceId: first.source_id }); // the same cause again
    await raiseTrigger(world.platform, user.id, { trigger: 'voice_call' });
    await raiseTrigger(world.platform, user.id, { level: 'critical' });
    await eventually(async () => (await incidentsOf(world.platform, user.id))[0]?.triggers.length === 3);
    await sleep(1_000);
    const incidents = await incidentsOf(world.platform, user.id);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ crisisLevel: 'critical', emergency: true, status: 'open' }); // nothing new to try: not exhausted early
    expect(smsTo(contacts[0]!.externalPhoneNumber!)).toHaveLength(1);
  });

  it('quiet hours: a high trigger waits for the window, an emergency does not', async () => {
    const hour = new Date().getUTCHours();
    const closed = {
      start: `${String((hour + 3) % 24).padStart(2, '0')}:00`,
      end: `${String((hour + 4) % 24).padStart(2, '0')}:00`,
    };
    const quiet = await userWith([{ preferredContactTime: closed, timezone: 'UTC' }]);
    await raiseTrigger(world.platform, quiet.user.id, { level: 'high' });
    const incident = await waitForIncident(world.platform, quiet.user.id);
    expect(new Date(incident.plan[0]!.not_before!).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    const step0 = await world.platform.orm.em
      .fork()
      .findOneOrFail(OutboxJob, { queue: 'safety-escalate', payload: { incident_id: incident.id } });
    expect(step0.options?.delay).toBeGreaterThan(3_600_000);
    await sleep(1_500);
    expect(smsTo(quiet.contacts[0]!.externalPhoneNumber!)).toHaveLength(0);

    // A critical trigger joining the waiting incident makes it an emergency: the contact is reached now.
    await raiseTrigger(world.platform, quiet.user.id, { level: 'critical' });
    await eventually(async () => smsTo(quiet.contacts[0]!.externalPhoneNumber!)[0]);
    const upgraded = (await incidentsOf(world.platform, quiet.user.id))[0]!;
    expect(upgraded).toMatchObject({
      emergency: true,
      crisisLevel: 'critical',
      plan: [expect.objectContaining({ not_before: null })],
    });

    const urgent = await userWith([{ preferredContactTime: closed, timezone: 'UTC' }]);
    await raiseTrigger(world.platform, urgent.user.id, { level: 'critical' });
    await eventually(async () => smsTo(urgent.contacts[0]!.externalPhoneNumber!)[0]);
  });

  it('a retried step sends once; a step interrupted mid-send is not resent and falls through', async () => {
    const { user, contacts } = await userWith([
      { allowedCommunicationMethods: ['sms', 'email'], externalEmail: `r-${randomUUID()}@example.test` },
      {},
    ]);
    await raiseTrigger(world.platform, user.id, { level: 'critical' });
    await eventually(async () => smsTo(contacts[0]!.externalPhoneNumber!)[0]);
    const incident = await waitForIncident(world.platform, user.id);
    const again = await processSafetyEscalate({ incident_id: incident.id, step: 0 }, jobContext(world.platform));
    expect(again).toMatchObject({ step: 0, delivered: true, next: 2 });
    expect(smsTo(contacts[0]!.externalPhoneNumber!)).toHaveLength(1);

    // Two runs of one step at once (a stalled job re-run while the first still runs): one text.
    const twice = await userWith([{}]);
    const emTwice = world.platform.orm.em.fork();
    const both = emTwice.create(SafetyIncident, {
      user: twice.user.id,
      crisisLevel: 'critical',
      emergency: true,
      triggers: [],
      lastTriggerAt: new Date(),
      plan: [{ contact_id: twice.contacts[0]!.id, method: 'sms' as const, not_before: null }],
    });
    await emTwice.flush();
    await Promise.all(
      [0, 1].map(() => processSafetyEscalate({ incident_id: both.id, step: 0 }, jobContext(world.platform))),
    );
    expect(smsTo(twice.contacts[0]!.externalPhoneNumber!)).toHaveLength(1);

    // Another incident whose step 0 claimed its attempt and then died before recording the answer.
    const crashed = await userWith([{}, {}]);
    const em = world.platform.orm.em.fork();
    const open = em.create(SafetyIncident, {
      user: crashed.user.id,
      crisisLevel: 'critical',
      emergency: true,
      triggers: [],
      lastTriggerAt: new Date(),
      plan: crashed.contacts.map((c) => ({ contact_id: c.id, method: 'sms' as const, not_before: null })),
    });
    em.create(ContactLog, {
      id: attemptLogId(open.id, 0),
      user: crashed.user.id,
      safetyContact: crashed.contacts[0]!.id,
      contactMethod: 'sms',
      success: false,
      initiatedBy: 'system',
      contactMetadata: { incident_id: open.id, step: 0, state: 'sending' },
    });
    await em.flush();
    const result = await processSafetyEscalate({ incident_id: open.id, step: 0 }, jobContext(world.platform));
    expect(result).toMatchObject({ delivered: false, next: 1, delay_ms: 0 });
    expect(smsTo(crashed.contacts[0]!.externalPhoneNumber!)).toHaveLength(0);
    await eventually(async () => smsTo(crashed.contacts[1]!.externalPhoneNumber!)[0]);
    const log = await world.platform.orm.em.fork().findOneOrFail(ContactLog, attemptLogId(open.id, 0));
    expect(log.contactMetadata.state).toBe('unknown');
  });

  it('voice: a queued voice_calls row for the contact and a durable vapi-call job; in_app: a system event for the internal contact', async () => {
    const em = world.platform.orm.em.fork();
    await makeVoice(em, { assistantId: 'asst_safety_outreach' }).catch(() => undefined);
    const friend = await makeUser(em, { displayName: 'Alex' });
    const { user, contacts } = await userWith([
      { allowedCommunicationMethods: ['voice'] },
      {
        externalFirstName: null,
        externalPhoneNumber: null,
        contactUser: friend,
        allowedCommunicationMethods: ['in_app'],
      },
    ]);
    await raiseTrigger(world.platform, user.id, { level: 'critical' });
    const call = await eventually(async () => world.platform.orm.em.fork().findOne(VoiceCall, { user: user.id }));
    expect(call).toMatchObject({
      phoneNumber: contacts[0]!.externalPhoneNumber,
      status: 'queued',
      channel: 'outbound_phone',
    });
    const job = await world.platform.orm.em
      .fork()
      .findOneOrFail(OutboxJob, { queue: 'vapi-call', payload: { voice_call_id: call.id } });
    expect(job.payload).toMatchObject({ purpose: 'safety_outreach' });
    const alert = await eventually(
      async () =>
        world.platform.orm.em.fork().findOne(SystemEvent, { user: friend.id, eventType: 'safety.contact_alert' }),
      15_000,
    );
    expect(alert.eventData).toMatchObject({ user_id: user.id });
  });
});
