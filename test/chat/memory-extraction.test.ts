// The memory-extraction job end to end on real PostgreSQL and Redis: API → outbox → worker → rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { processMemoryExtraction } from '../../src/workers/memory-extraction.ts';
import type { JobContext } from '../../src/workers/context.ts';
import { chatUser, newConversation, postMessage, type ChatUser } from './helpers.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const em = () => platform.orm.em.fork();
/** Runs the processor directly (as a duplicate delivery or a retry would). */
const runJob = (messageId: string, jobId = 'direct') =>
  processMemoryExtraction({ message_id: messageId }, {
    em: em(),
    log: platform.log,
    queue: 'memory-extraction',
    jobId,
    attempt: 1,
    producer: platform.producer,
  } as JobContext);
const extracted = (id: string) =>
  eventually(async () => (await em().findOneOrFail(Message, id)).memoryExtracted, 15_000);

async function snapshot(userId: string, messageId: string) {
  const fork = em();
  const message = await fork.findOneOrFail(Message, messageId);
  const memories = await fork.find(MemoryItem, { user: userId }, { orderBy: { id: 'asc' }, exclude: ['embedding'] });
  return {
    message: { ...message, updatedAt: undefined },
    memories: memories.map((m) => ({ ...m, lastAccessedAt: undefined })),
  };
}

describe('memory-extraction', () => {
  let user: ChatUser;
  let conversationId: string;
  beforeAll(async () => {
    user = await chatUser(platform);
    conversationId = await newConversation(platform, user);
    platform.startWorkers();
  });

  it('redacts PII, extracts scored memories with embeddings, marks the message; a second run changes nothing', async () => {
    const { message_id } = await postMessage(
      platform,
      user,
      conversationId,
      'I live in Denver with my sister. Email me at sam@example.com. I love hiking in the mountains!',
    );
    await extracted(message_id);
    const message = await em().findOneOrFail(Message, message_id);
    expect(message).toMatchObject({
      piiDetected: ['email'],
      memoryItemsCreated: 2,
      requiresIntervention: false,
      crisisIndicators: [],
    });
    expect(message.processedContent).toBe(
      'I live in Denver with my sister. Email me at [EMAIL]. I love hiking in the mountains!',
    );
    expect(message.sentimentScore).toBeGreaterThan(0);
    const memories = await em().find(
      MemoryItem,
      { message: message_id },
      { orderBy: { createdAt: 'asc' }, populate: ['embedding', 'embeddingQ'] },
    );
    expect(memories.map((m) => m.memoryType).sort()).toEqual(['personal_fact', 'preference']);
    for (const m of memories) {
      // The default: the sentence model, its name and length recorded with the vector and its compact copy.
      expect(m).toMatchObject({ embeddingModel: 'use-lite-512', embeddingDimensions: 512 });
      expect(m.embedding).toHaveLength(512);
      expect(m.embeddingQ).toHaveLength(516);
      expect(m.tags.length).toBeGreaterThan(0);
      expect(m.content).not.toContain('sam@example.com');
      expect(m.storageType).toBe('short_term'); // no consent to long-term storage by default
      expect(m.extractionMetadata).toMatchObject({
        extractor: 'rules+model:use-lite-512',
        embedder: 'use-lite-512',
        expires_at: expect.any(String),
      });
      expect(m.compositeScore).toBeGreaterThan(0);
    }
    const before = await snapshot(user.id, message_id);
    expect(await runJob(message_id)).toMatchObject({ memory: null });
    expect(await snapshot(user.id, message_id)).toEqual(before);
  });

  it('reinforces a repeated fact and supersedes a contradicted one', async () => {
    const first = await postMessage(platform, user, conversationId, 'I work as a teacher at the local school.');
    await extracted(first.message_id);
    const [teacher] = await em().find(MemoryItem, { message: first.message_id });
    const again = await postMessage(platform, user, conversationId, 'I work as a teacher at the local school.');
    await extracted(again.message_id);
    const reinforced = await em().findOneOrFail(MemoryItem, teacher!.id);
    expect(reinforced.stabilityScore).toBeGreaterThan(teacher!.stabilityScore!);
    expect(reinforced.extractionMetadata.reinforced_count).toBe(1);
    expect((await em().findOneOrFail(Message, again.message_id)).memoryItemsCreated).toBe(0);

    const moved = await postMessage(platform, user, conversationId, 'I just moved to Boston last week.');
    await extracted(moved.message_id);
    const [denver] = await em().find(MemoryItem, { user: user.id, content: { $like: 'I live in Denver%' } });
    expect(denver).toMatchObject({ isActive: false, isArchived: true });
    const [boston] = await em().find(MemoryItem, { message: moved.message_id });
    expect(denver!.extractionMetadata.superseded_by).toBe(boston!.id);
    expect(boston).toMatchObject({
      isActive: true,
      extractionMetadata: expect.objectContaining({ slot: 'home_city', value: 'boston' }),
    });
  });

  it('crisis: flags the message and conversation, enqueues safety-outreach once, writes one system event', async () => {
    const { message_id } = await postMessage(
      platform,
      user,
      conversationId,
      "I can't do this. I'm going to kill myself tonight.",
    );
    await extracted(message_id);
    const message = await em().findOneOrFail(Message, message_id);
    expect(message).toMatchObject({ requiresIntervention: true, memoryItemsCreated: 0 });
    expect(message.crisisIndicators).toContain('suicide_intent');
    expect(await em().findOneOrFail(Conversation, conversationId)).toMatchObject({
      crisisLevel: 'critical',
      safetyPlanTriggered: true,
    });
    const outreachId = outboxJobId(safetyOutreach, `chat_message:${message_id}`);
    const row = await eventually(
      async () =>
        (await em().findOneOrFail(OutboxJob, outreachId)).enqueuedAt &&
        (await em().findOneOrFail(OutboxJob, outreachId)),
    );
    expect(row.payload).toMatchObject({
      user_id: user.id,
      trigger: 'chat_message',
      source_id: message_id,
      crisis_level: 'critical',
    });
    expect(JSON.stringify(row.payload)).not.toMatch(/kill/);

    await runJob(message_id, 'duplicate-1');
    await runJob(message_id, 'duplicate-2');
    expect(await em().count(OutboxJob, { queue: 'safety-outreach', payload: { source_id: message_id } })).toBe(1);
    const queued = await platform.producer
      .queue(safetyOutreach)
      .getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    expect(queued.filter((j) => j.data.source_id === message_id)).toHaveLength(1);
    const events = await em().find(SystemEvent, { eventType: 'chat.crisis_detected', user: user.id });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]!.eventData)).not.toMatch(/kill myself/);
  });

  it('negated and quoted cues raise nothing; assistant messages are not assessed', async () => {
    const a = await postMessage(platform, user, conversationId, 'I would never hurt myself, I just needed to vent.');
    const b = await postMessage(platform, user, conversationId, 'If you want to die, please call 988.', 'assistant');
    await extracted(a.message_id);
    await extracted(b.message_id);
    for (const id of [a.message_id, b.message_id])
      expect(await em().findOneOrFail(Message, id)).toMatchObject({
        requiresIntervention: false,
        crisisIndicators: [],
      });
    expect((await em().findOneOrFail(Message, b.message_id)).memoryItemsCreated).toBe(0);
  });

  it('follows the privacy settings: keep a kind, no anonymisation, long-term consent', async () => {
    const other = await chatUser(platform);
    const fork = em();
    fork.create(UserPrivacySettings, {
      user: other.id,
      allowLongTermStorage: true,
      autoAnonymizePii: true,
      piiHandlingPreferences: { phone: 'keep' },
    });
    await fork.flush();
    const conv = await newConversation(platform, other);
    const { message_id } = await postMessage(
      platform,
      other,
      conv,
      'My sister is called Maya, her number is 415-555-0132 and my email is me@example.com.',
    );
    await extracted(message_id);
    const message = await em().findOneOrFail(Message, message_id);
    expect(message.processedContent).toBe(
      'My sister is called Maya, her number is 415-555-0132 and my email is [EMAIL].',
    );
    const [memory] = await em().find(MemoryItem, { message: message_id });
    expect(memory).toMatchObject({ storageType: 'long_term', piiDetected: ['phone'] });
    expect(memory!.anonymizedVersion).toContain('[PHONE]');
    expect(memory!.extractionMetadata.expires_at).toBeUndefined();

    const plain = await em().findOneOrFail(UserPrivacySettings, { user: other.id });
    plain.autoAnonymizePii = false;
    await em().persist(plain).flush();
    const second = await postMessage(platform, other, conv, 'reach me at me@example.com');
    await extracted(second.message_id);
    expect(await em().findOneOrFail(Message, second.message_id)).toMatchObject({
      processedContent: 'reach me at me@example.com',
      piiDetected: ['email'],
    });
  });

  it('a deleted message is a no-op', async () => {
    const { message_id } = await postMessage(platform, user, conversationId, 'short lived');
    await extracted(message_id);
    await em().nativeDelete(Message, message_id);
    expect(await runJob(message_id)).toEqual({ skipped: 'message not found' });
  });
});
