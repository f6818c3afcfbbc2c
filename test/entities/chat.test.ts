// conversations, messages, memory_items, conversation_summaries, system_events.
import { randomUUID } from 'node:crypto';
import { CheckConstraintViolationException, ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { quantize } from '../../src/domain/quantized.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { makeConversation, makeMessage, makeUser, openTestOrm, reload } from './fixtures.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(() => orm.close());

/** A vector of n values in [-1, 1) (not float32-exact, so the test sees the float4 rounding). */
const DIMENSIONS = 512;
const embedding = (n = DIMENSIONS) => Array.from({ length: n }, () => Math.random() * 2 - 1);

describe('conversations', () => {
  it('round-trips with its defaults', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const conversation = await makeConversation(em, user, { description: 'after work', lastMessageAt: new Date() });
    const loaded = await reload(orm, Conversation, conversation.id);
    expect(loaded).toMatchObject({
      title: 'Evening check-in',
      description: 'after work',
      sessionType: 'chat',
      status: 'active',
      crisisLevel: 'none',
      safetyPlanTriggered: false,
      messageCount: 0,
      totalDurationMinutes: 0,
    });
    expect(loaded.user.id).toBe(user.id);
    expect(loaded.lastMessageAt).toBeInstanceOf(Date);
    expect(loaded.createdAt).toBeInstanceOf(Date);
  });

  it('rejects an unknown user, an unknown crisis level and a negative count', async () => {
    const orphan = orm.em.fork();
    orphan.create(Conversation, { user: randomUUID() });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);

    const user = await makeUser(orm.em.fork());
    const sql = orm.em.fork();
    await expect(
      sql.execute(`insert into conversations (user_id, crisis_level) values (?, 'severe')`, [user.id]),
    ).rejects.toThrow(CheckConstraintViolationException);
    await expect(makeConversation(orm.em.fork(), user, { messageCount: -1 })).rejects.toThrow(
      CheckConstraintViolationException,
    );
  });
});

describe('messages', () => {
  it('round-trips jsonb lists and the sentiment score', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const message = await makeMessage(em, conversation, {
      role: 'assistant',
      messageType: 'text',
      processedContent: 'I slept badly again, [NAME].',
      piiDetected: ['name', 'phone'],
      sentimentScore: -0.5,
      crisisIndicators: ['hopelessness'],
      requiresIntervention: true,
      memoryExtracted: true,
      memoryItemsCreated: 2,
      responseTimeMs: 850,
      modelUsed: 'gpt-test',
      tokensUsed: 321,
    });
    const loaded = await reload(orm, Message, message.id);
    expect(loaded).toMatchObject({
      role: 'assistant',
      content: 'I slept badly again.',
      piiDetected: ['name', 'phone'],
      sentimentScore: -0.5,
      crisisIndicators: ['hopelessness'],
      requiresIntervention: true,
      memoryItemsCreated: 2,
      responseTimeMs: 850,
      tokensUsed: 321,
    });
    expect(loaded.conversation.id).toBe(conversation.id);
    expect(loaded.user.id).toBe(conversation.user.id);
    expect(loaded.createdAt).toBeInstanceOf(Date);
  });

  it('defaults the lists to [] and rejects a non-list, an out-of-range score and an unknown conversation', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const plain = await makeMessage(em, conversation);
    expect(await reload(orm, Message, plain.id)).toMatchObject({
      piiDetected: [],
      crisisIndicators: [],
      messageType: 'text',
    });

    await expect(makeMessage(orm.em.fork(), conversation, { sentimentScore: 1.5 })).rejects.toThrow(
      CheckConstraintViolationException,
    );
    await expect(makeMessage(orm.em.fork(), conversation, { sentimentScore: -1.01 })).rejects.toThrow(
      CheckConstraintViolationException,
    );
    await expect(makeMessage(orm.em.fork(), conversation, { piiDetected: { email: true } as never })).rejects.toThrow(
      CheckConstraintViolationException,
    );

    const orphan = orm.em.fork();
    orphan.create(Message, { conversation: randomUUID(), user: conversation.user.id, role: 'user', content: 'x' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});

describe('memory_items', () => {
  it('round-trips the embedding as a float4 array and the scores', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const message = await makeMessage(em, conversation);
    const vector = embedding();
    const memory = em.create(MemoryItem, {
      user: conversation.user,
      conversation,
      message,
      content: 'Sleeps badly before exams.',
      memoryType: 'emotional_pattern',
      storageType: 'long_term',
      significanceLevel: 'high',
      significanceCategory: 'health',
      relevanceScore: 0.75,
      stabilityScore: 0.5,
      explicitnessScore: 1,
      compositeScore: 0,
      embedding: vector,
      embeddingModel: 'use-lite-512',
      embeddingDimensions: DIMENSIONS,
      embeddingQ: Buffer.from(quantize(vector)),
      piiDetected: [],
      userConsent: true,
      extractionMetadata: { model: 'extractor-v1', confidence: 0.9 },
      tags: ['sleep', 'exams'],
    });
    await em.flush();

    const loaded = await reload(orm, MemoryItem, memory.id, { populate: ['embedding', 'embeddingQ'] });
    expect(loaded).toMatchObject({
      embeddingModel: 'use-lite-512',
      embeddingDimensions: DIMENSIONS,
      memoryType: 'emotional_pattern',
      storageType: 'long_term',
      significanceLevel: 'high',
      significanceCategory: 'health',
      relevanceScore: 0.75,
      stabilityScore: 0.5,
      explicitnessScore: 1,
      compositeScore: 0,
      userConsent: true,
      extractionMetadata: { model: 'extractor-v1', confidence: 0.9 },
      tags: ['sleep', 'exams'],
      isActive: true,
      isArchived: false,
    });
    expect(loaded.embedding).toHaveLength(DIMENSIONS);
    expect(loaded.embeddingQ).toHaveLength(4 + DIMENSIONS);
    // real[] keeps float32 precision: the vector comes back as its float32 rounding, exactly.
    expect(loaded.embedding).toEqual(Array.from(Float32Array.from(vector)));
    expect(loaded.conversation?.id).toBe(conversation.id);
    expect(loaded.message?.id).toBe(message.id);
  });

  it('allows a null embedding and rejects one whose length or model is not recorded', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const unembedded = em.create(MemoryItem, { user, content: 'Likes tea.', memoryType: 'preference' });
    await em.flush();
    expect(await reload(orm, MemoryItem, unembedded.id, { populate: ['embedding'] })).toMatchObject({
      embedding: null,
      storageType: 'short_term',
      significanceLevel: 'low',
      piiDetected: [],
      tags: [],
      extractionMetadata: {},
    });

    const wrongLength = {
      embedding: embedding(3),
      embeddingModel: 'use-lite-512',
      embeddingDimensions: DIMENSIONS,
    };
    const noModel = { embedding: embedding(), embeddingDimensions: DIMENSIONS };
    const wrongQ = { ...noModel, embeddingModel: 'use-lite-512', embeddingQ: Buffer.alloc(10) };
    for (const bad of [wrongLength, noModel, wrongQ]) {
      const fork = orm.em.fork();
      fork.create(MemoryItem, { user: user.id, content: 'x', memoryType: 'goal', ...bad });
      await expect(fork.flush()).rejects.toThrow(CheckConstraintViolationException);
    }
  });

  it('rejects a score outside [0, 1], an unknown memory type and an unknown user', async () => {
    const user = await makeUser(orm.em.fork());
    const high = orm.em.fork();
    high.create(MemoryItem, { user: user.id, content: 'x', memoryType: 'goal', relevanceScore: 1.2 });
    await expect(high.flush()).rejects.toThrow(CheckConstraintViolationException);

    const negative = orm.em.fork();
    negative.create(MemoryItem, { user: user.id, content: 'x', memoryType: 'goal', compositeScore: -0.1 });
    await expect(negative.flush()).rejects.toThrow(CheckConstraintViolationException);

    await expect(
      orm.em
        .fork()
        .execute(`insert into memory_items (user_id, content, memory_type) values (?, 'x', 'dream')`, [user.id]),
    ).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(MemoryItem, { user: randomUUID(), content: 'x', memoryType: 'goal' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });

  it('outlives the message and conversation it came from (set null)', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const message = await makeMessage(em, conversation);
    const memory = em.create(MemoryItem, {
      user: conversation.user,
      conversation,
      message,
      content: 'x',
      memoryType: 'event',
    });
    await em.flush();

    await orm.em.fork().nativeDelete(Message, { id: message.id });
    expect((await reload(orm, MemoryItem, memory.id)).message).toBeNull();
    await orm.em.fork().nativeDelete(Conversation, { id: conversation.id });
    const loaded = await reload(orm, MemoryItem, memory.id);
    expect(loaded.conversation).toBeNull();
    expect(loaded.content).toBe('x');
  });
});

describe('conversation_summaries', () => {
  it('round-trips and is removed with its conversation', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const summary = em.create(ConversationSummary, {
      conversation,
      user: conversation.user,
      summary: 'Talked about sleep and exams.',
      keyTopics: ['sleep', 'exams'],
      emotionalThemes: ['anxiety'],
      actionItems: ['wind-down routine'],
      sentimentOverall: -0.25,
      crisisIndicators: [],
      therapeuticProgress: 'named a coping strategy',
      summaryMetadata: { model: 'summarizer-v1' },
    });
    await em.flush();
    const loaded = await reload(orm, ConversationSummary, summary.id);
    expect(loaded).toMatchObject({
      summary: 'Talked about sleep and exams.',
      keyTopics: ['sleep', 'exams'],
      emotionalThemes: ['anxiety'],
      actionItems: ['wind-down routine'],
      sentimentOverall: -0.25,
      crisisIndicators: [],
      therapeuticProgress: 'named a coping strategy',
      summaryMetadata: { model: 'summarizer-v1' },
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);

    await orm.em.fork().nativeDelete(Conversation, { id: conversation.id });
    expect(await orm.em.fork().findOne(ConversationSummary, summary.id)).toBeNull();
  });

  it('rejects an unknown conversation and a sentiment outside [-1, 1]', async () => {
    const em = orm.em.fork();
    const conversation = await makeConversation(em, await makeUser(em));
    const orphan = orm.em.fork();
    orphan.create(ConversationSummary, { conversation: randomUUID(), user: conversation.user.id, summary: 'x' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);

    const bad = orm.em.fork();
    bad.create(ConversationSummary, {
      conversation: conversation.id,
      user: conversation.user.id,
      summary: 'x',
      sentimentOverall: 2,
    });
    await expect(bad.flush()).rejects.toThrow(CheckConstraintViolationException);
  });
});

describe('system_events', () => {
  it('round-trips, with or without a user', async () => {
    const em = orm.em.fork();
    const user = await makeUser(em);
    const event = em.create(SystemEvent, {
      user,
      eventType: 'user.synced',
      eventCategory: 'user',
      eventData: { source: 'webhook', fields: ['email'] },
      severity: 'warning',
      sessionId: 'sess-1',
      ipAddress: '2001:db8::1',
      userAgent: 'vitest',
    });
    const anonymous = em.create(SystemEvent, { eventType: 'system.started', eventCategory: 'system' });
    await em.flush();

    const loaded = await reload(orm, SystemEvent, event.id);
    expect(loaded).toMatchObject({
      eventType: 'user.synced',
      eventCategory: 'user',
      eventData: { source: 'webhook', fields: ['email'] },
      severity: 'warning',
      ipAddress: '2001:db8::1',
    });
    expect(loaded.user?.id).toBe(user.id);
    const anon = await reload(orm, SystemEvent, anonymous.id);
    expect(anon).toMatchObject({ user: null, severity: 'info' });
    expect(anon.eventData).toEqual({});
  });

  it('rejects an unknown severity and an unknown user', async () => {
    await expect(
      orm.em
        .fork()
        .execute(`insert into system_events (event_type, event_category, severity) values ('x', 'system', 'fatal')`),
    ).rejects.toThrow(CheckConstraintViolationException);
    const orphan = orm.em.fork();
    orphan.create(SystemEvent, { user: randomUUID(), eventType: 'x', eventCategory: 'system' });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});
