// POST /webhooks/vapi and the vapi-webhook job, end to end: the fake Vapi's messages (with a transcript)
// arrive over HTTP with the credential, are stored stripped, and are applied to the call.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockMode } from '@mikro-orm/core';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { ScheduleExecution } from '../../src/entities/schedule-execution.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import { eventually } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { callMessages, type CallScript, type FakeCall } from '../support/fake-vapi.ts';
import { makeSchedule, makeUser, makeVoice } from '../entities/fixtures.ts';
import { createVoicePlatform, HMAC_SECRET, type VoicePlatform } from './voice-platform.ts';

let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform();
});
afterAll(() => p.stop());

const em = () => p.orm.em.fork();
const load = (id: string) => em().findOneOrFail(VoiceCall, id);

/** A placed call: our row with its vapi_call_id, and Vapi's copy. */
async function placedCall(opts: Parameters<VoicePlatform['requestCall']>[2] = {}) {
  const e = em();
  const call = await p.requestCall(await makeUser(e), await makeVoice(e), opts);
  const row = await eventually(async () => ((await load(call.id)).vapiCallId ? load(call.id) : null));
  return { row, vapiCall: p.vapi.calls.get(row.vapiCallId!)! };
}

async function post(body: unknown, headers?: Record<string, string>) {
  const res = await p.postWebhook(body, headers);
  expect(res.status).toBe(200);
  return (await res.json()) as { received: true; duplicate: boolean };
}

const eventsOf = (vapiCallId: string) => em().find(WebhookEvent, { vapiCallId }, { orderBy: { createdAt: 'asc' } });
const settled = (vapiCallId: string, n: number) =>
  eventually(async () => {
    const events = await eventsOf(vapiCallId);
    return events.length === n && events.every((e) => e.processingStatus !== 'pending') ? events : null;
  });

/** Runs a whole call the way Vapi reports it: three status-updates, then the end-of-call report. */
async function runCall(vapiCall: FakeCall, script: CallScript = {}) {
  const m = callMessages(vapiCall, script);
  p.vapi.finish(vapiCall.id, m, script.endedReason);
  const answered = !script.endedReason || script.endedReason === 'customer-ended-call';
  const bodies = answered ? [m.ringing, m.inProgress, m.endedStatus, m.report] : [m.ringing, m.endedStatus, m.report];
  for (const body of bodies) await post(body);
  await settled(vapiCall.id, bodies.length);
  return m;
}

describe('a full call', () => {
  it('ends the call with times, reason, cost and one summary', async () => {
    const { row, vapiCall } = await placedCall();
    const m = await runCall(vapiCall);
    const call = await load(row.id);
    expect(call).toMatchObject({
      status: 'ended',
      endedReason: 'customer-ended-call',
      costTotal: 0.15,
      costBreakdown: m.costBreakdown,
    });
    expect(call.startedAt?.toISOString()).toBe(m.started.toISOString());
    expect(call.endedAt?.toISOString()).toBe(m.ended.toISOString());
    const summary = await em().findOneOrFail(CallSummary, { call: row.id });
    expect(summary).toMatchObject({
      durationSeconds: 95,
      sentiment: 'mixed',
      keyTopics: ['sleep', 'work'],
      actionItems: ['walk tomorrow'],
      emotionalState: 'tired',
      crisisIndicators: [],
    });
    expect(summary.summaryJson).toMatchObject({
      summary: expect.stringContaining('hard week'),
      success_evaluation: 'true',
    });
    expect((await eventsOf(vapiCall.id)).map((e) => e.processingStatus)).toEqual([
      'processed',
      'processed',
      'processed',
      'processed',
    ]);
  });

  it('fetches the cost breakdown from Vapi when the report lacks it', async () => {
    const { row, vapiCall } = await placedCall();
    const m = await runCall(vapiCall, { breakdownInReport: false });
    expect((await load(row.id)).costBreakdown).toEqual(m.costBreakdown);
  });

  it('a crisis in the summary enqueues safety outreach once, keyed by the call', async () => {
    const { row, vapiCall } = await placedCall();
    const m = await runCall(vapiCall, { summary: 'The user said they want to die and feel hopeless.' });
    const summary = await em().findOneOrFail(CallSummary, { call: row.id });
    expect(summary.crisisIndicators).toContain('want_to_die');
    const outreach = await em().findOneOrFail(OutboxJob, outboxJobId(safetyOutreach, `voice_call:${row.id}`));
    expect(outreach.payload).toMatchObject({
      user_id: row.user?.id,
      trigger: 'voice_call',
      source_id: row.id,
      crisis_level: 'high',
    });
    // A second report for the call (a different body, so a new event) changes nothing.
    await post({ message: { ...m.report.message, timestamp: Date.now() + 1 } });
    await settled(vapiCall.id, 5);
    expect(await em().count(CallSummary, { call: row.id })).toBe(1);
    expect(await em().count(OutboxJob, { queue: safetyOutreach.name, payload: { source_id: row.id } })).toBe(1);
  });

  it('marks the schedule slot responded, or not when nobody answered', async () => {
    const e = em();
    const user = await makeUser(e);
    const schedule = await makeSchedule(e, user, { scheduleType: 'voice' });
    const slots = [0, 1].map((i) =>
      e.create(ScheduleExecution, { schedule, executedAt: new Date(Date.now() - i * 86_400_000) }),
    );
    await e.flush();
    const answered = await placedCall({ purpose: 'scheduled_checkin', scheduleExecutionId: slots[0]!.id });
    const missed = await placedCall({ purpose: 'scheduled_checkin', scheduleExecutionId: slots[1]!.id });
    await runCall(answered.vapiCall);
    await runCall(missed.vapiCall, { endedReason: 'customer-did-not-answer' });
    const [a, b] = await Promise.all(slots.map((s) => em().findOneOrFail(ScheduleExecution, s.id)));
    expect(a).toMatchObject({ userResponded: true, sessionDurationMinutes: 2, status: 'completed' });
    expect(b).toMatchObject({ userResponded: false });
    // The answered call is activity and an answered check-up (engagement), each recorded once; the missed one is neither.
    const activityOf = async (callId: string) =>
      (await em().find(OutboxJob, { queue: 'engagement-update', payload: { source_id: callId } }))
        .map((j) => j.payload.kind)
        .sort();
    expect(await activityOf(answered.row.id)).toEqual(['call_completed', 'checkin_response']);
    expect(await activityOf(missed.row.id)).toEqual([]);
    // Relayed straight after the commit (no polling relay runs here), like the outreach follow-up.
    await eventually(
      async () =>
        (await em().count(OutboxJob, {
          queue: 'engagement-update',
          payload: { source_id: answered.row.id },
          enqueuedAt: { $ne: null },
        })) === 2,
    );
    expect(await load(missed.row.id)).toMatchObject({
      status: 'ended',
      endedReason: 'customer-did-not-answer',
      startedAt: null,
    });
  });
});

describe('delivery order and duplicates', () => {
  it('the same delivery twice is stored and applied once', async () => {
    const { vapiCall } = await placedCall();
    const m = callMessages(vapiCall);
    expect(await post(m.ringing)).toEqual({ received: true, duplicate: false });
    expect(await post(m.ringing)).toEqual({ received: true, duplicate: true });
    const events = await settled(vapiCall.id, 1);
    expect(events[0]!.eventType).toBe('status-update');
  });

  it('the same delivery arriving several times at once is stored once', async () => {
    const { vapiCall } = await placedCall();
    const body = JSON.stringify(callMessages(vapiCall).inProgress);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => post(body)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    await settled(vapiCall.id, 1);
  });

  it('a status-update after the end-of-call report does not reopen the call', async () => {
    const { row, vapiCall } = await placedCall();
    const m = callMessages(vapiCall);
    p.vapi.finish(vapiCall.id, m);
    await post(m.report);
    await settled(vapiCall.id, 1);
    await post(m.ringing);
    await post(m.inProgress);
    await settled(vapiCall.id, 3);
    expect(await load(row.id)).toMatchObject({ status: 'ended', endedReason: 'customer-ended-call' });
  });

  it('a message that arrives before the job stored Vapi’s id is matched through the metadata', async () => {
    const e = em();
    const user = await makeUser(e);
    const voice = await makeVoice(e);
    const row = e.create(VoiceCall, {
      user,
      voice,
      channel: 'outbound_phone',
      phoneNumber: '+15555550123',
      status: 'queued',
    });
    await e.flush();
    const vapiCall = {
      id: crypto.randomUUID(),
      customer: { number: '+15555550123', externalId: row.id },
      assistantOverrides: { metadata: { voice_call_id: row.id } },
    } as unknown as FakeCall;
    await post(callMessages(vapiCall).ringing);
    await settled(vapiCall.id, 1);
    expect(await load(row.id)).toMatchObject({ vapiCallId: vapiCall.id, status: 'ringing' });
  });

  it('unknown message types and calls that are not ours are recorded and skipped', async () => {
    const vapiCallId = crypto.randomUUID();
    await post({ message: { type: 'speech-update', status: 'started', role: 'user', call: { id: vapiCallId } } });
    await post({ message: { type: 'status-update', status: 'ringing', call: { id: vapiCallId } } });
    const events = await settled(vapiCallId, 2);
    expect(events.map((e) => e.processingStatus)).toEqual(['skipped', 'skipped']);
  });
});

describe('calls of one assistant', () => {
  it('are applied independently: applying a call’s event does not lock its voice row', async () => {
    const { row, vapiCall } = await placedCall();
    // Held as applying another call of this assistant used to hold it (FOR UPDATE over the joined voice).
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = em().transactional(async (tx) => {
      await tx.findOneOrFail(Voice, { assistantId: row.voice.assistantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      locked();
      await new Promise<void>((r) => (release = r));
    });
    try {
      await isLocked;
      await post(callMessages(vapiCall).ringing);
      expect((await settled(vapiCall.id, 1)).map((e) => e.processingStatus)).toEqual(['processed']);
      expect((await load(row.id)).status).toBe('ringing');
    } finally {
      release();
      await holder;
    }
  });
});

describe('a processing failure stays replayable', () => {
  it('records the failure, then an admin replay applies the stored event', async () => {
    const { row, vapiCall } = await placedCall();
    const m = callMessages(vapiCall, { breakdownInReport: false });
    p.vapi.calls.delete(vapiCall.id); // GET /call/{id} answers 404: the breakdown cannot be fetched
    await post(m.report);
    const [failed] = await eventually(async () => {
      const events = await eventsOf(vapiCall.id);
      return events[0]?.processingStatus === 'failed' ? events : null;
    });
    expect(failed!.errorMessage).toMatch(/404/);
    expect(await em().count(CallSummary, { call: row.id })).toBe(0);

    p.vapi.calls.set(vapiCall.id, vapiCall);
    p.vapi.finish(vapiCall.id, m);
    const replay = (id: string) =>
      p.app.request(`/admin/api/webhook-events/${id}/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
    expect((await replay(failed!.id)).status).toBe(202);
    await settled(vapiCall.id, 1);
    expect((await eventsOf(vapiCall.id))[0]).toMatchObject({ processingStatus: 'processed', errorMessage: null });
    expect(await em().count(CallSummary, { call: row.id })).toBe(1);
    expect((await replay(failed!.id)).status).toBe(409);
    expect((await replay(crypto.randomUUID())).status).toBe(404);
    expect((await p.app.request(`/admin/api/webhook-events/${failed!.id}/replay`, { method: 'POST' })).status).toBe(
      401,
    );
  });
});

describe('the credential', () => {
  const body = () =>
    JSON.stringify({ message: { type: 'status-update', status: 'ringing', call: { id: crypto.randomUUID() } } });
  const sign = (ts: string, raw: string, encoding: 'hex' | 'base64' = 'hex') =>
    createHmac('sha256', HMAC_SECRET).update(`${ts}.${raw}`).digest(encoding);

  it('refuses a wrong or missing secret with 401 and stores nothing but one (sampled) audit row', async () => {
    const raw = body();
    const audits = () =>
      em().count(SystemEvent, { eventType: 'webhook_signature_failed', eventData: { webhook: 'vapi' } });
    const before = await audits();
    expect((await p.postWebhook(raw, { 'x-vapi-secret': 'wrong-secret-wrong-secret' })).status).toBe(401);
    expect((await p.postWebhook(raw, {})).status).toBe(401);
    expect(
      (
        await p.postWebhook(raw, {
          'x-signature': sign(String(Date.now()), raw).replace(/^./, (ch) => (ch === '0' ? '1' : '0')),
          'x-timestamp': String(Date.now()),
        })
      ).status,
    ).toBe(401);
    expect(await em().count(WebhookEvent, { vapiCallId: JSON.parse(raw).message.call.id })).toBe(0);
    // Rejections are audited sampled: the first per address and minute (src/lib/limits.ts).
    expect((await audits()) - before).toBe(1);
  });

  it('accepts Vapi’s HMAC signature (hex or base64, with a prefix) and refuses a stale timestamp', async () => {
    const now = String(Date.now());
    const raw1 = body();
    expect((await p.postWebhook(raw1, { 'x-signature': sign(now, raw1), 'x-timestamp': now })).status).toBe(200);
    const raw2 = body();
    expect(
      (await p.postWebhook(raw2, { 'x-signature': `sha256=${sign(now, raw2, 'base64')}`, 'x-timestamp': now })).status,
    ).toBe(200);
    const stale = String(Date.now() - 3_600_000);
    const raw3 = body();
    expect((await p.postWebhook(raw3, { 'x-signature': sign(stale, raw3), 'x-timestamp': stale })).status).toBe(401);
  });

  it('takes an end-of-call report far above the API-wide 256 KB body limit', async () => {
    const { row, vapiCall } = await placedCall();
    const m = callMessages(vapiCall);
    p.vapi.finish(vapiCall.id, m);
    const longTranscript = 'User: a long conversation. '.repeat(40_000); // ~1 MB
    const report = {
      message: { ...m.report.message, artifact: { transcript: longTranscript }, transcript: longTranscript },
    };
    expect((await p.postWebhook(report)).status).toBe(200);
    await eventually(async () => (await load(row.id)).status === 'ended');
  });

  it('refuses a body that is not a server message with 400', async () => {
    expect((await p.postWebhook('{"hello": 1}')).status).toBe(400);
    expect((await p.postWebhook('not json')).status).toBe(400);
  });
});
