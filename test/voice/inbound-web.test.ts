// Calls Hearth did not place: an inbound phone call (Vapi's assistant-request, answered within its 7.5 s)
// and an in-app web call (POST /v1/calls/web, linked only through Hearth's signed token). Their reports land
// on voice_calls rows with channel inbound_phone / web, with summaries as for outbound calls.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { eventually } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { callMessages, TRANSCRIPT_MARKER, type FakeCall } from '../support/fake-vapi.ts';
import { makeUser, makeVoice } from '../entities/fixtures.ts';
import { createVoicePlatform, WEBHOOK_SECRET, type VoicePlatform } from './voice-platform.ts';

const DEFAULT_ASSISTANT = `asst_front_desk_${randomInt(1e9)}`;
const WEB_SECRET = 'test-web-call-secret-0123456789abcdef';
let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform({
    VAPI_INBOUND_DEFAULT_ASSISTANT_ID: DEFAULT_ASSISTANT,
    VAPI_WEB_CALL_SECRET: WEB_SECRET,
    VAPI_PUBLIC_KEY: 'pk_fake_public',
  });
});
afterAll(() => p.stop());

const em = () => p.orm.em.fork();
const phone = () => `+4915${randomInt(10_000_000, 99_999_999)}`;
const secret = { 'x-vapi-secret': WEBHOOK_SECRET };

/** Vapi reports the whole call: three status-updates and the end-of-call report, all applied. */
async function runCall(call: FakeCall) {
  const m = callMessages(call);
  for (const body of [m.ringing, m.inProgress, m.endedStatus, m.report])
    expect((await p.postWebhook(body)).status).toBe(200);
  await eventually(async () => {
    const events = await em().find(WebhookEvent, { vapiCallId: call.id });
    return events.length >= 4 && events.every((e) => e.processingStatus !== 'pending');
  }, 15_000);
  return em().findOneOrFail(VoiceCall, { vapiCallId: call.id }, { populate: ['voice'] });
}

describe('inbound phone calls', () => {
  it("a user's verified number gets their assistant and context within the budget; the reports land on an inbound_phone row", async () => {
    const voice = await makeVoice(em());
    const number = phone();
    const user = await makeUser(em(), { displayName: 'Robin', phoneNumber: number, phoneConfirmedAt: new Date() });
    await em().insert(UserServiceProfile, {
      user: user.id,
      serviceType: 'voice',
      servicePreferences: { preferred_voice: voice.assistantId, language: 'en-GB' },
    });

    const rang = await p.vapi.ring(p.webhookUrl, secret, number);
    expect(rang.status).toBe(200);
    expect(rang.ms).toBeLessThan(7_500);
    expect(rang.answer.assistantId).toBe(voice.assistantId);
    expect(rang.answer.assistantOverrides?.variableValues).toMatchObject({ user_name: 'Robin', language: 'en-GB' });
    const row = await em().findOneOrFail(VoiceCall, { vapiCallId: rang.call.id });
    expect(row).toMatchObject({ channel: 'inbound_phone', phoneNumber: number });
    expect(row.user?.id).toBe(user.id);
    expect(rang.answer.assistantOverrides?.metadata?.voice_call_id).toBe(row.id);

    const ended = await runCall(rang.call);
    expect(ended).toMatchObject({ status: 'ended', channel: 'inbound_phone', costTotal: 0.15 });
    const summary = await em().findOneOrFail(CallSummary, { call: ended.id });
    expect(summary.user.id).toBe(user.id);
    expect(JSON.stringify(summary)).not.toContain(TRANSCRIPT_MARKER);
    const profile = await em().findOneOrFail(UserServiceProfile, { user: user.id, serviceType: 'voice' });
    expect(profile.serviceMetadata).toMatchObject({
      last_assistant_id: voice.assistantId,
      last_call_channel: 'inbound_phone',
    });

    // The user sees it among their calls.
    const token = await userToken({ sub: user.id });
    const list = await (await p.app.request('/v1/calls', { headers: { authorization: `Bearer ${token}` } })).json();
    expect(list.calls[0]).toMatchObject({
      id: ended.id,
      channel: 'inbound_phone',
      summary: { summary: expect.any(String) },
    });
  });

  it('an unknown caller gets the configured default assistant and a row without a user (no summary kept)', async () => {
    await makeVoice(em(), { assistantId: DEFAULT_ASSISTANT }).catch(() => undefined);
    const number = phone();
    // An unverified phone on an account is not proof: the caller is unknown.
    await makeUser(em(), { phoneNumber: number, phoneConfirmedAt: null });
    const rang = await p.vapi.ring(p.webhookUrl, secret, number);
    expect(rang.answer).toMatchObject({ assistantId: DEFAULT_ASSISTANT });
    expect(rang.answer.assistantOverrides).not.toHaveProperty('variableValues');
    const ended = await runCall(rang.call);
    expect(ended.user).toBeNull();
    expect(ended).toMatchObject({ status: 'ended', channel: 'inbound_phone' });
    expect(await em().count(CallSummary, { call: ended.id })).toBe(0);
  });

  it('without a default assistant an unknown caller hears the error message; a bad credential is refused', async () => {
    const bare = await createVoicePlatform({}, { workers: false });
    try {
      const rang = await bare.vapi.ring(bare.webhookUrl, secret, phone());
      expect(rang.answer.error).toMatch(/not registered with Hearth/);
      expect(await bare.orm.em.fork().count(VoiceCall, { vapiCallId: rang.call.id })).toBe(0);
      const refused = await bare.vapi.ring(bare.webhookUrl, { 'x-vapi-secret': 'wrong-secret-0123456789' }, phone());
      expect(refused.status).toBe(401);
    } finally {
      await bare.stop();
    }
  });
});

describe('web calls', () => {
  const start = async (token: string, body: unknown = {}) =>
    p.app.request('/v1/calls/web', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it("returns what the web client needs; the call is linked through Hearth's token and reported on a web row", async () => {
    const voice = await makeVoice(em());
    const user = await makeUser(em(), { displayName: 'Kim' });
    const res = await start(await userToken({ sub: user.id }), { assistant_id: voice.assistantId });
    expect(res.status).toBe(201);
    const web = await res.json();
    expect(web).toMatchObject({
      public_key: 'pk_fake_public',
      assistant_id: voice.assistantId,
      assistant_overrides: {
        metadata: { hearth_call_token: expect.stringMatching(/^v1\./) },
        variableValues: { user_name: 'Kim' },
      },
    });
    const call = p.vapi.startWebCall(web.assistant_id, web.assistant_overrides);
    const row = await runCall(call);
    expect(row).toMatchObject({ id: web.id, channel: 'web', status: 'ended', phoneNumber: null, vapiCallId: call.id });
    expect(row.user?.id).toBe(user.id);
    expect((await em().findOneOrFail(CallSummary, { call: row.id })).user.id).toBe(user.id);
  });

  it('a client claiming a user or a row in plain metadata, a forged or reused token is never linked', async () => {
    const voice = await makeVoice(em());
    const victim = await makeUser(em());
    const attacker = await makeUser(em());
    const mine = await (await start(await userToken({ sub: attacker.id }), { assistant_id: voice.assistantId })).json();
    const theirs = await (await start(await userToken({ sub: victim.id }), { assistant_id: voice.assistantId })).json();
    const token: string = mine.assistant_overrides.metadata.hearth_call_token;
    const attempts = [
      { metadata: { user_id: victim.id, voice_call_id: theirs.id } },
      // The attacker's token re-pointed at the victim's row: the MAC no longer matches.
      { metadata: { hearth_call_token: token.replace(mine.id, theirs.id) } },
    ];
    for (const overrides of attempts) {
      const call = p.vapi.startWebCall(voice.assistantId, overrides);
      const m = callMessages(call);
      await p.postWebhook(m.report);
      await eventually(async () => {
        const [event] = await em().find(WebhookEvent, { vapiCallId: call.id });
        return event && event.processingStatus !== 'pending' ? event : null;
      });
      expect((await em().find(WebhookEvent, { vapiCallId: call.id }))[0]!.processingStatus).toBe('skipped');
    }
    expect((await em().findOneOrFail(VoiceCall, theirs.id)).vapiCallId).toBeNull();

    // The attacker's own token links once; a second call with it is not linked to the same row.
    await runCall(p.vapi.startWebCall(voice.assistantId, mine.assistant_overrides));
    const again = p.vapi.startWebCall(voice.assistantId, mine.assistant_overrides);
    await p.postWebhook(callMessages(again).report);
    await eventually(async () => {
      const [event] = await em().find(WebhookEvent, { vapiCallId: again.id });
      return event?.processingStatus === 'skipped';
    });
  });

  it('an expired token or one signed with another secret links nothing', async () => {
    const voice = await makeVoice(em());
    const user = await makeUser(em());
    const web = await (await start(await userToken({ sub: user.id }), { assistant_id: voice.assistantId })).json();
    const late = p.vapi.startWebCall(voice.assistantId, web.assistant_overrides);
    late.createdAt = new Date(Date.now() + 3_600_000).toISOString();
    await p.postWebhook(callMessages(late).report);
    await eventually(async () => {
      const [event] = await em().find(WebhookEvent, { vapiCallId: late.id });
      return event?.processingStatus === 'skipped';
    });
    expect((await start(await userToken({ sub: user.id }), { assistant_id: 'asst_nope' })).status).toBe(400);
    // A token signed with another secret (another deployment, a guess) is not ours.
    const other = await createVoicePlatform({ VAPI_WEB_CALL_SECRET: 'another-web-call-secret-0123456789' });
    try {
      const stray = other.vapi.startWebCall(voice.assistantId, web.assistant_overrides);
      await other.postWebhook(callMessages(stray).report);
      await eventually(async () => {
        const [event] = await other.orm.em.fork().find(WebhookEvent, { vapiCallId: stray.id });
        return event?.processingStatus === 'skipped';
      });
    } finally {
      await other.stop();
    }
  });
});
