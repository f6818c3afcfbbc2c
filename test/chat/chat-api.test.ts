// The chat API on real PostgreSQL and Redis: ownership (404 across users), bad input, limits, the outbox
// write, ending and summarising, memory search, consent/archive and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { conversationSummary } from '../../src/queues/conversation-summary.ts';
import { memoryExtraction } from '../../src/queues/memory-extraction.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { userToken } from '../support/tokens.ts';
import { call, chatUser, newConversation, postMessage, type ChatUser } from './helpers.ts';

let platform: TestPlatform;
let alice: ChatUser;
let bob: ChatUser;
beforeAll(async () => {
  platform = await createTestPlatform({ CHAT_MAX_MESSAGE_CHARS: '200' });
  alice = await chatUser(platform);
  bob = await chatUser(platform);
});
afterAll(() => platform.close());
const em = () => platform.orm.em.fork();

describe('conversations and messages', () => {
  it('creates a conversation; an unsynced user gets 409, no token 401', async () => {
    const res = await call(platform, alice, 'POST', '/v1/conversations', { title: 'Sunday', session_type: 'check_in' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      title: 'Sunday',
      session_type: 'check_in',
      status: 'active',
      crisis_level: 'none',
      message_count: 0,
    });
    const ghost = { id: crypto.randomUUID(), token: '' };
    ghost.token = await userToken({ sub: ghost.id });
    expect((await call(platform, ghost, 'POST', '/v1/conversations', {})).status).toBe(409);
    expect((await platform.app.request('/v1/conversations', { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('stores the message and its keyed extraction job in one write, and counts messages', async () => {
    const id = await newConversation(platform, alice);
    const first = await postMessage(platform, alice, id, 'hello there');
    const second = await postMessage(platform, alice, id, 'how are you', 'assistant');
    expect(first.job_id).toBe(outboxJobId(memoryExtraction, first.message_id));
    const row = await em().findOneOrFail(OutboxJob, first.job_id);
    expect(row.payload).toEqual({ message_id: first.message_id }); // ids only, never the text
    const conversation = await em().findOneOrFail(Conversation, id);
    expect(conversation.messageCount).toBe(2);
    expect(conversation.lastMessageAt).toBeInstanceOf(Date);
    expect(await em().count(Message, { conversation: id })).toBe(2);
    expect(second.message_id).not.toBe(first.message_id);
  });

  it('rejects bad input naming the field, and content over the limit', async () => {
    const id = await newConversation(platform, alice);
    const cases: [unknown, string][] = [
      [{ role: 'user' }, 'content'],
      [{ content: '   ', role: 'user' }, 'content'],
      [{ content: 'x'.repeat(201), role: 'user' }, 'content'],
      [{ content: 'hi', role: 'robot' }, 'role'],
      [{ content: 'hi', role: 'user', tokens_used: -1 }, 'tokens_used'],
    ];
    for (const [body, field] of cases) {
      const res = await call(platform, alice, 'POST', `/v1/conversations/${id}/messages`, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await call(platform, alice, 'POST', `/v1/conversations/${id}/messages`, '{nope')).status).toBe(400);
    expect(
      (
        await call(platform, alice, 'POST', `/v1/conversations/${id}/messages`, {
          content: 'x'.repeat(300 * 1024),
          role: 'user',
        })
      ).status,
    ).toBe(413);
    expect(
      (await call(platform, alice, 'POST', '/v1/conversations/not-a-uuid/messages', { content: 'hi', role: 'user' }))
        .status,
    ).toBe(400);
    expect(await em().count(Message, { conversation: id })).toBe(0);
  });

  it("another user's conversation is 404 for every action, and nothing is written", async () => {
    const id = await newConversation(platform, alice);
    expect(
      (await call(platform, bob, 'POST', `/v1/conversations/${id}/messages`, { content: 'hi', role: 'user' })).status,
    ).toBe(404);
    expect((await call(platform, bob, 'POST', `/v1/conversations/${id}/end`)).status).toBe(404);
    expect((await call(platform, alice, 'POST', `/v1/conversations/${crypto.randomUUID()}/end`)).status).toBe(404);
    expect(await em().findOneOrFail(Conversation, id)).toMatchObject({ messageCount: 0, status: 'active' });
  });

  it('ending is idempotent, refuses new messages, and the summary job writes one summary', async () => {
    const id = await newConversation(platform, alice);
    await postMessage(
      platform,
      alice,
      id,
      'Work has me so stressed. My email is a@b.co. Tomorrow I will go for a walk.',
    );
    const first = await call(platform, alice, 'POST', `/v1/conversations/${id}/end`);
    const again = await call(platform, alice, 'POST', `/v1/conversations/${id}/end`);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect((await again.json()).job_id).toBe((await first.json()).job_id);
    expect((await em().findOneOrFail(Conversation, id)).status).toBe('ended');
    expect(
      (await call(platform, alice, 'POST', `/v1/conversations/${id}/messages`, { content: 'hi', role: 'user' })).status,
    ).toBe(409);

    const workers = platform.startWorkers();
    try {
      const summary = await eventually(() => em().findOne(ConversationSummary, { conversation: id }), 15_000);
      expect(summary.emotionalThemes).toContain('stress');
      expect(summary.actionItems).toEqual(['Tomorrow I will go for a walk.']);
      expect(JSON.stringify(summary)).not.toContain('a@b.co');
      // Once: both end requests named one job, and it has run (no sleep: wait for the queue to be idle).
      await eventually(async () => {
        const n = await platform.producer
          .queue(conversationSummary)
          .getJobCounts('wait', 'active', 'delayed', 'completed');
        return (n.completed ?? 0) >= 1 && !n.wait && !n.active && !n.delayed;
      });
      expect(await em().count(ConversationSummary, { conversation: id })).toBe(1);
    } finally {
      await workers.close(2_000);
    }
  });
});

describe('memories', () => {
  let ids: { hiking: string; sister: string; anxiety: string };
  beforeAll(async () => {
    const conversation = await newConversation(platform, alice);
    const fork = em();
    const { localEmbedding } = await import('../../src/domain/embedding.ts');
    const make = (content: string, memoryType: MemoryItem['memoryType'], compositeScore: number) =>
      fork.create(MemoryItem, {
        user: alice.id,
        conversation,
        content,
        memoryType,
        compositeScore,
        embedding: localEmbedding(content),
      });
    ids = {
      hiking: make('I love hiking in the mountains', 'preference', 0.6).id,
      sister: make('My sister Maya lives in Denver', 'relationship', 0.7).id,
      anxiety: make('I have anxiety before meetings', 'health', 0.9).id,
    };
    await fork.flush();
  });

  it('ranks by similarity to the query, filters by type, marks returned memories accessed', async () => {
    const res = await call(platform, alice, 'GET', '/v1/memories?query=hiking%20trip&limit=5');
    expect(res.status).toBe(200);
    const { memories } = await res.json();
    expect(memories[0]).toMatchObject({ id: ids.hiking, memory_type: 'preference' });
    expect(memories[0].score).toBeGreaterThan(0);
    expect((await em().findOneOrFail(MemoryItem, ids.hiking)).lastAccessedAt).toBeInstanceOf(Date);
    const typed = await (await call(platform, alice, 'GET', '/v1/memories?type=health')).json();
    expect(typed.memories.map((m: { id: string }) => m.id)).toEqual([ids.anxiety]);
    expect((await (await call(platform, bob, 'GET', '/v1/memories')).json()).memories).toEqual([]);
    expect((await call(platform, alice, 'GET', '/v1/memories?limit=0')).status).toBe(400);
    expect((await call(platform, alice, 'GET', '/v1/memories?type=secrets')).status).toBe(400);
  });

  it('PATCH sets consent and archives (archived memories leave the search); others get 404', async () => {
    expect((await call(platform, bob, 'PATCH', `/v1/memories/${ids.sister}`, { is_archived: true })).status).toBe(404);
    expect((await call(platform, alice, 'PATCH', `/v1/memories/${ids.sister}`, {})).status).toBe(400);
    const res = await call(platform, alice, 'PATCH', `/v1/memories/${ids.sister}`, {
      user_consent: true,
      is_archived: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_consent: true, is_archived: true });
    const { memories } = await (await call(platform, alice, 'GET', '/v1/memories?query=sister')).json();
    expect(memories.map((m: { id: string }) => m.id)).not.toContain(ids.sister);
  });

  it('a memory added or changed after a search is seen by the next one (the vector cache follows updated_at)', async () => {
    const fork = em();
    const { localEmbedding } = await import('../../src/domain/embedding.ts');
    const fresh = fork.create(MemoryItem, {
      user: alice.id,
      content: 'I adore kayaking on the lake',
      memoryType: 'preference',
      compositeScore: 0.8,
      embedding: localEmbedding('I adore kayaking on the lake'),
    });
    await fork.flush();
    const found = await (await call(platform, alice, 'GET', '/v1/memories?query=kayaking')).json();
    expect(found.memories[0].id).toBe(fresh.id);
    fresh.embedding = localEmbedding('I adore sailing');
    await fork.flush();
    const after = await (await call(platform, alice, 'GET', '/v1/memories?query=kayaking')).json();
    const scoreAfter = after.memories.find((m: { id: string }) => m.id === fresh.id)?.score ?? 0;
    expect(scoreAfter).toBeLessThan(found.memories[0].score / 2);
  });

  it('DELETE removes the memory for good; others get 404', async () => {
    expect((await call(platform, bob, 'DELETE', `/v1/memories/${ids.anxiety}`)).status).toBe(404);
    expect((await call(platform, alice, 'DELETE', `/v1/memories/${ids.anxiety}`)).status).toBe(204);
    expect((await call(platform, alice, 'DELETE', `/v1/memories/${ids.anxiety}`)).status).toBe(404);
    expect(await em().count(MemoryItem, { id: ids.anxiety })).toBe(0);
  });
});
