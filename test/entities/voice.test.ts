// voices, voice_calls, voice_schedules, call_summaries, webhook_events.
import { randomUUID } from 'node:crypto';
import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { VoiceSchedule } from '../../src/entities/voice-schedule.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { makeUser, makeVoice, makeVoiceCall, openTestOrm, reload, uniqueSuffix } from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

describe('voices', () => {
  it('round-trips, with a unique assistant id', async () => {
    const voice = await makeVoice(orm.em.fork(), { description: 'warm', sampleUrl: 'https://example.test/h.mp3' });
    const loaded = await reload(orm, Voice, voice.id);
    expect(loaded).toMatchObject({
      name: 'Hazel',
      assistantId: voice.assistantId,
      description: 'warm',
      isActive: true,
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);
    await expect(makeVoice(orm.em.fork(), { assistantId: voice.assistantId })).rejects.toThrow(
      UniqueConstraintViolationException,
    );
  });
});

describe('voice_calls', () => {
  it('round-trips and references the voice by assistant_id', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    const startedAt = new Date('2026-05-01T09:00:00.000Z');
    const call = await makeVoiceCall(em, user, voice, {
      status: 'ended',
      startedAt,
      endedAt: new Date('2026-05-01T09:12:30.000Z'),
      costTotal: 0.1234,
      costBreakdown: { llm: 0.05, tts: 0.0734 },
    });

    const raw = await orm.em.fork().execute('select assistant_id from voice_calls where id = ?', [call.id]);
    expect(raw[0]?.assistant_id).toBe(voice.assistantId);

    const reader = orm.em.fork();
    const loaded = await reader.findOneOrFail(VoiceCall, call.id, { populate: ['voice'] });
    expect(loaded).toMatchObject({
      vapiCallId: call.vapiCallId,
      channel: 'outbound_phone',
      status: 'ended',
      phoneNumber: '+15555550100',
      costTotal: 0.1234,
      costBreakdown: { llm: 0.05, tts: 0.0734 },
    });
    expect(loaded.startedAt).toEqual(startedAt);
    expect(loaded.voice.id).toBe(voice.id);
    expect(loaded.voice.assistantId).toBe(voice.assistantId);
    expect(loaded.user?.id).toBe(user.id);
  });

  it('rejects an assistant id that is not in voices, and an unknown user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    await expect(
      orm.em
        .fork()
        .execute(`insert into voice_calls (user_id, assistant_id, channel) values (?, ?, 'web')`, [
          user.id,
          `asst_${uniqueSuffix()}`,
        ]),
    ).rejects.toThrow(ForeignKeyConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(VoiceCall, { user: randomUUID(), voice, channel: 'web' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });

  it('keeps vapi_call_id unique but allows many calls without one yet', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    const first = await makeVoiceCall(em, user, voice);
    await makeVoiceCall(em, user, voice, { vapiCallId: null });
    await makeVoiceCall(em, user, voice, { vapiCallId: null });
    await expect(makeVoiceCall(orm.em.fork(), user, voice, { vapiCallId: first.vapiCallId })).rejects.toThrow(
      UniqueConstraintViolationException,
    );
  });

  it('rejects a phone call without a number, a negative cost, an end before the start and an unknown status', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    const fresh = () => orm.em.fork();
    await expect(makeVoiceCall(fresh(), user, voice, { phoneNumber: null })).rejects.toThrow(
      CheckConstraintViolationException,
    );
    await expect(makeVoiceCall(fresh(), user, voice, { channel: 'web', phoneNumber: null })).resolves.toBeInstanceOf(
      VoiceCall,
    );
    await expect(makeVoiceCall(fresh(), user, voice, { costTotal: -1 })).rejects.toThrow(
      CheckConstraintViolationException,
    );
    await expect(
      makeVoiceCall(fresh(), user, voice, { startedAt: new Date(2_000), endedAt: new Date(1_000) }),
    ).rejects.toThrow(CheckConstraintViolationException);
    await expect(
      fresh().execute(
        `insert into voice_calls (user_id, assistant_id, channel, status) values (?, ?, 'web', 'exploded')`,
        [user.id, voice.assistantId],
      ),
    ).rejects.toThrow(CheckConstraintViolationException);
  });

  it('keeps a referenced voice from being deleted', async () => {
    const em = orm.em.fork();
    const voice = await makeVoice(em);
    await makeVoiceCall(em, await makeUser(em), voice);
    await expect(orm.em.fork().nativeDelete(Voice, { id: voice.id })).rejects.toThrow(
      ForeignKeyConstraintViolationException,
    );
  });
});

describe('voice_schedules', () => {
  it('round-trips and references the voice by assistant_id', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    const nextRunAt = new Date('2026-06-01T07:00:00.000Z');
    const schedule = em.create(VoiceSchedule, {
      user,
      voice,
      name: 'Morning call',
      cronExpression: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      nextRunAt,
      customMetadata: { topic: 'sleep' },
    });
    await em.flush();
    const loaded = await orm.em.fork().findOneOrFail(VoiceSchedule, schedule.id, { populate: ['voice'] });
    expect(loaded).toMatchObject({
      name: 'Morning call',
      cronExpression: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      isActive: true,
      lastRunAt: null,
      customMetadata: { topic: 'sleep' },
    });
    expect(loaded.nextRunAt).toEqual(nextRunAt);
    expect(loaded.voice.assistantId).toBe(voice.assistantId);
  });

  it('rejects an assistant id that is not in voices, and an unknown user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const voice = await makeVoice(em);
    await expect(
      orm.em
        .fork()
        .execute(
          `insert into voice_schedules (user_id, assistant_id, name, cron_expression) values (?, ?, 'x', '* * * * *')`,
          [user.id, 'asst_missing'],
        ),
    ).rejects.toThrow(ForeignKeyConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(VoiceSchedule, { user: randomUUID(), voice, name: 'x', cronExpression: '* * * * *' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});

describe('call_summaries', () => {
  it('round-trips, one per call, removed with the call', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const call = await makeVoiceCall(em, user, await makeVoice(em));
    const summary = em.create(CallSummary, {
      call,
      user,
      summaryJson: { summary: 'Felt calmer.', successEvaluation: true },
      durationSeconds: 750,
      sentiment: 'positive',
      keyTopics: ['work'],
      actionItems: ['walk'],
      crisisIndicators: [],
      emotionalState: 'calm',
    });
    await em.flush();
    const loaded = await reload(orm, CallSummary, summary.id);
    expect(loaded).toMatchObject({
      summaryJson: { summary: 'Felt calmer.', successEvaluation: true },
      durationSeconds: 750,
      sentiment: 'positive',
      keyTopics: ['work'],
      actionItems: ['walk'],
      emotionalState: 'calm',
    });
    expect(loaded.crisisIndicators).toEqual([]);
    expect(loaded.call.id).toBe(call.id);
    expect(loaded.createdAt).toBeInstanceOf(Date);

    const dup = orm.em.fork();
    dup.create(CallSummary, { call: call.id, user: user.id });
    await expect(dup.flush()).rejects.toThrow(UniqueConstraintViolationException);

    await orm.em.fork().nativeDelete(VoiceCall, { id: call.id });
    expect(await orm.em.fork().findOne(CallSummary, summary.id)).toBeNull();
  });

  it('rejects an unknown call, a negative duration and an unknown sentiment', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const call = await makeVoiceCall(em, user, await makeVoice(em));
    const orphan = orm.em.fork();
    orphan.create(CallSummary, { call: randomUUID(), user: user.id });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);

    const negative = orm.em.fork();
    negative.create(CallSummary, { call: call.id, user: user.id, durationSeconds: -5 });
    await expect(negative.flush()).rejects.toThrow(CheckConstraintViolationException);

    await expect(
      orm.em
        .fork()
        .execute(`insert into call_summaries (call_id, user_id, sentiment) values (?, ?, 'ecstatic')`, [
          call.id,
          user.id,
        ]),
    ).rejects.toThrow(CheckConstraintViolationException);
  });
});

describe('webhook_events', () => {
  it('round-trips the payload and dedupes a redelivery by event_key', async () => {
    const em = orm.em.fork();
    const eventKey = `sha256-${randomUUID()}`;
    const payload = { message: { type: 'status-update', status: 'ringing', call: { id: 'call_1' } } };
    const event = em.create(WebhookEvent, { vapiCallId: 'call_1', eventType: 'status-update', eventKey, payload });
    await em.flush();
    const loaded = await reload(orm, WebhookEvent, event.id);
    expect(loaded).toMatchObject({
      vapiCallId: 'call_1',
      eventType: 'status-update',
      eventKey,
      payload,
      processingStatus: 'pending',
      processedAt: null,
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);

    // A second status-update of the same call is a different delivery: kept.
    const other = orm.em.fork();
    other.create(WebhookEvent, {
      vapiCallId: 'call_1',
      eventType: 'status-update',
      eventKey: `sha256-${randomUUID()}`,
      payload,
    });
    await other.flush();

    // The same delivery again: the insert-or-ignore path drops it.
    const redelivery = await orm.em
      .fork()
      .createQueryBuilder(WebhookEvent)
      .insert({ vapiCallId: 'call_1', eventType: 'status-update', eventKey, payload })
      .onConflict('eventKey')
      .ignore()
      .execute();
    expect(redelivery.affectedRows).toBe(0);
  });

  it('requires processed_at once processed and an error once failed', async () => {
    const em = orm.em.fork();
    const event = em.create(WebhookEvent, { eventType: 'end-of-call-report', eventKey: randomUUID(), payload: {} });
    await em.flush();
    event.processingStatus = 'processed';
    await expect(em.flush()).rejects.toThrow(CheckConstraintViolationException);

    const failed = orm.em.fork();
    failed.create(WebhookEvent, { eventType: 'x', eventKey: randomUUID(), payload: {}, processingStatus: 'failed' });
    await expect(failed.flush()).rejects.toThrow(CheckConstraintViolationException);
  });
});
