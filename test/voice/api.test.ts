// Voices (admin upsert, user list) and calls (request, list, read) through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { eventually } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { userToken } from '../support/tokens.ts';
import { callMessages } from '../support/fake-vapi.ts';
import { makeUser, makeVoice, uniqueSuffix } from '../entities/fixtures.ts';
import { createVoicePlatform, type VoicePlatform } from './voice-platform.ts';

let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform();
});
afterAll(() => p.stop());

const json = (method: string, body: unknown, token: string) => ({
  method,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify(body),
});
/** The response fields these tests read. */
type VoiceList = { voices: { assistant_id: string }[] };
type CallList = { calls: { id: string }[] };
type CallBody = { summary: unknown };
type ErrorBody = { error: { details: { field: string }[] } };

const putVoice = (id: string, body: unknown, token = TEST_ADMIN_TOKEN) =>
  p.app.request(`/admin/api/voices/${id}`, json('PUT', body, token));

async function signedInUser(
  data: Parameters<typeof makeUser>[1] = { phoneNumber: '+15555550177', phoneConfirmedAt: new Date() },
) {
  const user = await makeUser(p.orm.em.fork(), data);
  return { user, token: await userToken({ sub: user.id }) };
}

describe('voices', () => {
  it('an admin upserts a voice; users list only the active ones', async () => {
    const id = `asst_${uniqueSuffix()}`;
    const created = await putVoice(id, {
      name: 'Juniper',
      description: 'calm',
      sample_url: 'https://cdn.example.test/j.mp3',
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({
      assistant_id: id,
      name: 'Juniper',
      description: 'calm',
      sample_url: 'https://cdn.example.test/j.mp3',
      is_active: true,
    });
    const { token } = await signedInUser();
    const listed = async () =>
      (
        (await (
          await p.app.request('/v1/voices', { headers: { authorization: `Bearer ${token}` } })
        ).json()) as VoiceList
      ).voices;
    expect((await listed()).map((v) => v.assistant_id)).toContain(id);

    const retired = await putVoice(id, { name: 'Juniper', is_active: false });
    expect(await retired.json()).toMatchObject({ description: 'calm', is_active: false }); // unspecified fields kept
    expect((await listed()).map((v) => v.assistant_id)).not.toContain(id);
  });

  it('needs the admin token and valid input', async () => {
    expect((await putVoice('asst_x', { name: 'X' }, 'not-the-admin-token')).status).toBe(401);
    const bad = await putVoice('asst_x', { name: '', sample_url: 'ftp://x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.details.map((d) => d.field).sort()).toEqual(['name', 'sample_url']);
    expect((await p.app.request('/v1/voices')).status).toBe(401);
  });
});

describe('requesting a call', () => {
  const postCall = (body: unknown, token: string) => p.app.request('/v1/calls', json('POST', body, token));

  it('queues the call with its durable job on the confirmed phone number, and it is placed', async () => {
    const { user, token } = await signedInUser();
    const voice = await makeVoice(p.orm.em.fork());
    const res = await postCall({ assistant_id: voice.assistantId }, token);
    expect(res.status).toBe(202);
    const { id, status } = await res.json();
    expect(status).toBe('queued');
    const row = await p.orm.em.fork().findOneOrFail(VoiceCall, id);
    expect(row).toMatchObject({ phoneNumber: '+15555550177', status: 'queued', channel: 'outbound_phone' });
    expect(row.user.id).toBe(user.id);
    const job = await p.orm.em.fork().findOneOrFail(OutboxJob, outboxJobId(vapiCall, id));
    expect(job.payload).toEqual({ voice_call_id: id, purpose: 'user_request', schedule_execution_id: null });
    await eventually(async () => (await p.orm.em.fork().findOneOrFail(VoiceCall, id)).vapiCallId);
    expect(p.vapi.callsFor(id)).toHaveLength(1);
  });

  it('refuses a second call while one is in flight (409), also when requested at the same moment', async () => {
    const { user, token } = await signedInUser();
    const voice = await makeVoice(p.orm.em.fork());
    const results = await Promise.all(
      [1, 2, 3].map(() => postCall({ assistant_id: voice.assistantId, phone_number: '+14155550123' }, token)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    // The statuses alone would pass with three calls queued: exactly one row, one job, one call placed.
    const { id } = await results.find((r) => r.status === 202)!.json();
    const rows = await p.orm.em.fork().find(VoiceCall, { user: user.id });
    expect(rows.map((r) => r.id)).toEqual([id]);
    const [jobs] = await p.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from outbox_jobs where queue = ? and payload ->> 'voice_call_id' = ?`,
        [vapiCall.name, id],
      );
    expect(jobs!.n).toBe(1);
    await eventually(async () => (await p.orm.em.fork().findOneOrFail(VoiceCall, id)).vapiCallId);
    expect(p.vapi.callsFor(id)).toHaveLength(1);
  });

  it('a call stuck in flight for hours (its webhooks lost) no longer blocks a new one', async () => {
    const { user, token } = await signedInUser();
    const voice = await makeVoice(p.orm.em.fork());
    const em = p.orm.em.fork();
    em.create(VoiceCall, {
      user: user.id,
      voice: await em.findOneOrFail(Voice, voice.id),
      channel: 'outbound_phone',
      phoneNumber: '+14155550123',
      status: 'ringing',
      createdAt: new Date(Date.now() - 3 * 3600_000),
    });
    await em.flush();
    expect((await postCall({ assistant_id: voice.assistantId }, token)).status).toBe(202);
  });

  it('400 without a confirmed phone number, for an invalid number, and for an unknown or inactive voice', async () => {
    const { token } = await signedInUser({ phoneNumber: '+15555550178', phoneConfirmedAt: null });
    const voice = await makeVoice(p.orm.em.fork());
    const inactive = await makeVoice(p.orm.em.fork(), { isActive: false });
    const field = async (body: unknown) => {
      const res = await postCall(body, token);
      expect(res.status).toBe(400);
      return (await res.json()).error.details[0].field;
    };
    expect(await field({ assistant_id: voice.assistantId })).toBe('phone_number');
    expect(await field({ assistant_id: voice.assistantId, phone_number: '555-0123' })).toBe('phone_number');
    expect(await field({ assistant_id: inactive.assistantId, phone_number: '+14155550123' })).toBe('assistant_id');
    expect(await field({ assistant_id: 'asst_nope', phone_number: '+14155550123' })).toBe('assistant_id');
    expect(await field({})).toBe('assistant_id');
  });

  it('404 for a user Hearth has not synced', async () => {
    const voice = await makeVoice(p.orm.em.fork());
    const res = await postCall(
      { assistant_id: voice.assistantId, phone_number: '+14155550123' },
      await userToken({ sub: crypto.randomUUID() }),
    );
    expect(res.status).toBe(404);
  });
});

describe('reading calls', () => {
  it('lists and reads own calls with status, times, cost and summary; another user gets 404', async () => {
    const { token } = await signedInUser();
    const voice = await makeVoice(p.orm.em.fork());
    const { id } = await (
      await p.app.request('/v1/calls', json('POST', { assistant_id: voice.assistantId }, token))
    ).json();
    const vapiCallId = await eventually(async () => (await p.orm.em.fork().findOneOrFail(VoiceCall, id)).vapiCallId);
    const m = callMessages(p.vapi.calls.get(vapiCallId)!);
    p.vapi.finish(vapiCallId, m);
    for (const body of [m.inProgress, m.report]) expect((await p.postWebhook(body)).status).toBe(200);
    await eventually(async () => (await p.orm.em.fork().findOneOrFail(VoiceCall, id)).status === 'ended');
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const one = await eventually(async () => {
      const body = (await (await p.app.request(`/v1/calls/${id}`, auth)).json()) as CallBody;
      return body.summary ? body : null;
    });
    expect(one).toMatchObject({
      id,
      assistant_id: voice.assistantId,
      status: 'ended',
      ended_reason: 'customer-ended-call',
      duration_seconds: 95,
      cost_total: 0.15,
      started_at: m.started.toISOString(),
      ended_at: m.ended.toISOString(),
      summary: {
        sentiment: 'mixed',
        key_topics: ['sleep', 'work'],
        action_items: ['walk tomorrow'],
        emotional_state: 'tired',
      },
    });
    expect(one).not.toHaveProperty('phone_number');
    const list = (await (await p.app.request('/v1/calls', auth)).json()) as CallList;
    expect(list.calls.map((c) => c.id)).toEqual([id]);

    const other = await signedInUser();
    const otherAuth = { headers: { authorization: `Bearer ${other.token}` } };
    expect((await p.app.request(`/v1/calls/${id}`, otherAuth)).status).toBe(404);
    expect(((await (await p.app.request('/v1/calls', otherAuth)).json()) as CallList).calls).toEqual([]);
    expect((await p.app.request('/v1/calls/not-a-uuid', auth)).status).toBe(400);
  });
});
