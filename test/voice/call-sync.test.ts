// The periodic catch-up for calls whose end-of-call report never arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { VapiClient } from '../../src/lib/vapi.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import { processVapiCallSync } from '../../src/workers/vapi-call-sync.ts';
import { voiceDeps } from '../../src/workers/voice-deps.ts';
import type { JobContext } from '../../src/workers/context.ts';
import { callMessages, type FakeCall } from '../support/fake-vapi.ts';
import { makeUser, makeVoice } from '../entities/fixtures.ts';
import { createVoicePlatform, type VoicePlatform } from './voice-platform.ts';

let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform({}, { workers: false });
});
afterAll(() => p.stop());

const run = () => {
  const ctx: JobContext = {
    em: p.orm.em.fork(),
    log: p.log,
    queue: 'vapi-call-sync',
    jobId: 'sync-test',
    attempt: 1,
    producer: p.producer,
  };
  return processVapiCallSync({}, ctx, voiceDeps(p.config));
};

/** A call Vapi placed `ageMs` ago whose webhooks we never received. */
async function silentCall(ageMs: number) {
  const em = p.orm.em.fork();
  const voice = await makeVoice(em);
  const row = em.create(VoiceCall, {
    user: await makeUser(em),
    voice,
    channel: 'outbound_phone',
    phoneNumber: '+15555550123',
    status: 'ringing',
    createdAt: new Date(Date.now() - ageMs),
  });
  const remote = await new VapiClient(p.config).createCall({
    assistantId: voice.assistantId,
    customerNumber: '+15555550123',
    voiceCallId: row.id,
    attemptKey: 'a#1',
  });
  row.vapiCallId = remote.id;
  await em.flush();
  return { row, remote: p.vapi.calls.get(remote.id)! as FakeCall };
}

describe('vapi-call-sync', () => {
  it('applies an ended call like its report, once, and leaves live and recent calls alone', async () => {
    const ended = await silentCall(3_600_000);
    p.vapi.finish(ended.remote.id, callMessages(ended.remote, { summary: 'They said they want to die.' }));
    const live = await silentCall(3_600_000); // still in progress at Vapi
    const recent = await silentCall(60_000);
    p.vapi.finish(recent.remote.id, callMessages(recent.remote));

    const result = await run();
    expect(result.ended).toBeGreaterThanOrEqual(1);
    const call = await p.orm.em.fork().findOneOrFail(VoiceCall, ended.row.id);
    expect(call).toMatchObject({ status: 'ended', endedReason: 'customer-ended-call', costTotal: 0.15 });
    const summary = await p.orm.em.fork().findOneOrFail(CallSummary, { call: ended.row.id });
    expect(summary.durationSeconds).toBe(95);
    expect(summary.crisisIndicators).toContain('want_to_die');
    expect(
      await p.orm.em.fork().findOne(OutboxJob, outboxJobId(safetyOutreach, `voice_call:${ended.row.id}`)),
    ).not.toBeNull();

    expect((await p.orm.em.fork().findOneOrFail(VoiceCall, live.row.id)).status).toBe('ringing');
    expect((await p.orm.em.fork().findOneOrFail(VoiceCall, recent.row.id)).status).toBe('ringing');

    await run(); // again: nothing more
    expect(await p.orm.em.fork().count(CallSummary, { call: ended.row.id })).toBe(1);
  });
});
