// The vapi-call job against a fake Vapi: one Vapi call per voice_calls row, whatever fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { VapiClient } from '../../src/lib/vapi.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { eventually } from '../support/platform.ts';
import { makeUser, makeVoice } from '../entities/fixtures.ts';
import { createVoicePlatform, PHONE_NUMBER_ID, type VoicePlatform } from './voice-platform.ts';

let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform({ VAPI_TIMEOUT_MS: '400', VAPI_MAX_CALLS_PER_MINUTE: '600' });
});
afterAll(() => p.stop());

const load = (id: string) => p.orm.em.fork().findOneOrFail(VoiceCall, id);
const placed = (id: string) => eventually(async () => ((await load(id)).vapiCallId ? load(id) : null), 15_000);
const requestsFor = (id: string) => p.vapi.createRequests.filter((r) => r.customer?.externalId === id);
const jobOf = (id: string) => p.producer.queue(vapiCall).getJob(outboxJobId(vapiCall, id));

async function newCall(opts: Parameters<VoicePlatform['requestCall']>[2] = {}) {
  const em = p.orm.em.fork();
  const user = await makeUser(em);
  return { user, call: await p.requestCall(user, await makeVoice(em), opts) };
}

describe('placing a call', () => {
  it('creates one Vapi call correlated through customer.externalId and assistantOverrides.metadata', async () => {
    const { call } = await newCall();
    const row = await placed(call.id);
    expect(p.vapi.callsFor(call.id).map((c) => c.id)).toEqual([row.vapiCallId]);
    const [request] = requestsFor(call.id);
    expect(request).toMatchObject({
      phoneNumberId: PHONE_NUMBER_ID,
      customer: { number: '+15555550123', externalId: call.id },
      assistantOverrides: { metadata: { voice_call_id: call.id, attempt_key: row.attemptKey } },
    });
    expect(request).not.toHaveProperty('metadata'); // Vapi has no top-level metadata
    expect(row).toMatchObject({
      status: 'queued',
      lastError: null,
      metadata: { purpose: 'user_request', schedule_execution_id: null },
    });
  });

  it('retries a Vapi 500 with backoff and still makes one call', async () => {
    p.vapi.plans.push({ status: 500, message: 'internal' });
    const { call } = await newCall();
    const row = await placed(call.id);
    expect(requestsFor(call.id)).toHaveLength(2);
    expect(p.vapi.callsFor(call.id)).toHaveLength(1);
    expect(row.vapiCallId).toBe(p.vapi.callsFor(call.id)[0]!.id);
    expect((await jobOf(call.id))?.attemptsMade).toBe(2); // the failed attempt and the one that placed it
  });

  it('fails for good on a Vapi 400, with the reason and without the number, and does not retry', async () => {
    p.vapi.plans.push({ status: 400, message: 'customer.number +15555550123 is not a valid phone number' });
    const { call } = await newCall();
    const row = await eventually(async () => ((await load(call.id)).status === 'failed' ? load(call.id) : null));
    expect(row.lastError).toMatch(/400 customer\.number \[number\] is not a valid phone number/);
    expect(row.vapiCallId).toBeNull();
    const job = await eventually(async () =>
      (await (await jobOf(call.id))?.getState()) === 'failed' ? jobOf(call.id) : null,
    );
    expect(job.attemptsMade).toBe(1);
    expect(requestsFor(call.id)).toHaveLength(1);
  });

  it('a request that timed out after Vapi created the call is adopted on retry, not repeated', async () => {
    p.vapi.plans.push({ createThenDelayMs: 1_500 }); // longer than VAPI_TIMEOUT_MS
    const { call } = await newCall();
    const row = await placed(call.id);
    expect(requestsFor(call.id)).toHaveLength(1);
    expect(p.vapi.callsFor(call.id)).toHaveLength(1);
    expect(row.vapiCallId).toBe(p.vapi.callsFor(call.id)[0]!.id);
    expect(row.lastError).toMatch(/no answer within 400 ms/);
  });

  it('a crash after Vapi answered (attempt recorded, id not stored) ends with the one existing call', async () => {
    const em = p.orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    const call = em.create(VoiceCall, {
      user,
      voice,
      channel: 'outbound_phone',
      phoneNumber: '+15555550123',
      status: 'queued',
      attemptKey: 'crashed-job#1',
      attemptedAt: new Date(),
    });
    await em.flush();
    // What the crashed attempt had done: Vapi holds the call, our row only knows the attempt.
    const client = new VapiClient(p.config);
    const existing = await client.createCall({
      assistantId: voice.assistantId,
      customerNumber: '+15555550123',
      voiceCallId: call.id,
      attemptKey: 'crashed-job#1',
    });
    await p.producer.enqueue(
      vapiCall,
      { voice_call_id: call.id, purpose: 'user_request', schedule_execution_id: null },
      { jobId: outboxJobId(vapiCall, call.id) },
    );
    const row = await placed(call.id);
    expect(row.vapiCallId).toBe(existing.id);
    expect(p.vapi.callsFor(call.id)).toHaveLength(1);
  });

  it('a redelivered job for a placed call does nothing', async () => {
    const { call } = await newCall();
    await placed(call.id);
    const again = await p.producer.enqueue(vapiCall, {
      voice_call_id: call.id,
      purpose: 'user_request',
      schedule_execution_id: null,
    });
    await eventually(async () => (await p.producer.queue(vapiCall).getJob(again))?.isCompleted());
    expect(p.vapi.callsFor(call.id)).toHaveLength(1);
  });
});

describe('quiet hours and rate limit', () => {
  /** A user whose quiet hours (UTC) run from an hour ago to an hour from now, and a call requested for them. */
  async function callDuringQuietHours(purpose: 'scheduled_checkin' | 'safety_outreach') {
    const hhmm = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(11, 16);
    const em = p.orm.em.fork();
    const user = await makeUser(em);
    const quiet_hours = { start: hhmm(-3_600_000), end: hhmm(3_600_000), timezone: 'UTC' };
    em.create(UserServiceProfile, { user, serviceType: 'voice', servicePreferences: { quiet_hours } });
    await em.flush();
    return p.requestCall(user, await makeVoice(em), { purpose });
  }

  it('defers a check-in call during the user quiet hours', async () => {
    const call = await callDuringQuietHours('scheduled_checkin');
    const job = await eventually(async () =>
      (await (await jobOf(call.id))?.getState()) === 'completed' ? jobOf(call.id) : null,
    );
    expect(job.returnvalue).toMatchObject({ outcome: 'deferred' });
    expect(Date.parse(job.returnvalue.until) - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(await p.producer.queue(vapiCall).getDelayedCount()).toBeGreaterThanOrEqual(1);
    expect(requestsFor(call.id)).toHaveLength(0);
    expect((await load(call.id)).status).toBe('queued');
  });

  it('places a safety-outreach call even during quiet hours', async () => {
    const call = await callDuringQuietHours('safety_outreach');
    await placed(call.id);
    expect(p.vapi.callsFor(call.id)).toHaveLength(1);
  });

  it('the vapi-call worker carries the per-account limiter from VAPI_MAX_CALLS_PER_MINUTE', () => {
    const worker = p.workers.find((w) => w.name === vapiCall.name);
    expect(worker?.opts.limiter).toEqual({ max: 600, duration: 60_000 });
  });
});
