// Chat ingest under concurrency (group commit, src/chat/message-ingest.ts): a burst of posts to several
// conversations at once is stored exactly, every message with its one keyed extraction job, and the
// requests that must fail in the same burst (someone else's conversation, an ended one, bad text) fail
// alone without taking their neighbours' messages down with them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { Conversation } from '../../src/entities/conversation.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { memoryExtraction } from '../../src/queues/memory-extraction.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { call, chatUser, newConversation, type ChatUser } from './helpers.ts';

let platform: TestPlatform;
let alice: ChatUser;
let bob: ChatUser;
beforeAll(async () => {
  platform = await createTestPlatform();
  alice = await chatUser(platform);
  bob = await chatUser(platform);
});
afterAll(() => platform.close());
const em = () => platform.orm.em.fork();
const post = (user: ChatUser, conversationId: string, content: string) =>
  call(platform, user, 'POST', `/v1/conversations/${conversationId}/messages`, { content, role: 'user' });

describe('chat ingest under a burst', () => {
  it('stores every message of a concurrent burst once, counts them exactly, and fails only the bad requests', async () => {
    const open = [
      await newConversation(platform, alice),
      await newConversation(platform, alice),
      await newConversation(platform, alice),
    ];
    const ended = await newConversation(platform, alice);
    expect((await call(platform, alice, 'POST', `/v1/conversations/${ended}/end`)).status).toBe(202);
    const bobs = await newConversation(platform, bob);

    const PER_CONVERSATION = 25;
    const good = open.flatMap((id) =>
      Array.from({ length: PER_CONVERSATION }, (_, i) => ({ id, content: `note ${i} for ${id}` })),
    );
    const responses = await Promise.all([
      ...good.map((m) => post(alice, m.id, m.content)),
      post(alice, ended, 'too late'),
      post(alice, bobs, 'not mine'),
      post(alice, crypto.randomUUID(), 'nowhere'),
    ]);
    const statuses = responses.map((r) => r.status);
    expect(statuses.slice(0, good.length).every((s) => s === 202)).toBe(true);
    expect(statuses.slice(good.length)).toEqual([409, 404, 404]);

    const accepted = await Promise.all(
      responses.slice(0, good.length).map((r) => r.json() as Promise<{ message_id: string; job_id: string }>),
    );
    for (const id of open) {
      expect((await em().findOneOrFail(Conversation, id)).messageCount).toBe(PER_CONVERSATION);
      expect(await em().count(Message, { conversation: id })).toBe(PER_CONVERSATION);
    }
    expect(await em().count(Message, { conversation: { $in: [ended, bobs] } })).toBe(0);
    expect((await em().findOneOrFail(Conversation, bobs)).messageCount).toBe(0);

    // Each message has exactly its keyed job, carrying the id only.
    const jobs = await em().find(OutboxJob, {
      queue: memoryExtraction.name,
      id: { $in: accepted.map((a) => a.job_id) },
    });
    expect(jobs).toHaveLength(good.length);
    for (const a of accepted) {
      expect(a.job_id).toBe(outboxJobId(memoryExtraction, a.message_id));
      expect(jobs.find((j) => j.id === a.job_id)?.payload).toEqual({ message_id: a.message_id });
    }
    // Stored as sent: the content of each accepted message is the text posted for it.
    const stored = await em().find(Message, { id: { $in: accepted.map((a) => a.message_id) } });
    expect(new Set(stored.map((m) => m.content))).toEqual(new Set(good.map((m) => m.content)));
  });

  it('refuses text PostgreSQL cannot store as sent (a NUL, a lone surrogate) with a 400 naming content, and stores its neighbours', async () => {
    const id = await newConversation(platform, alice);
    const [nul, lone, ...neighbours] = await Promise.all([
      post(alice, id, 'nul \u0000 inside'),
      post(alice, id, 'lone \uD800 half'),
      post(alice, id, 'fine one'),
      post(alice, id, 'fine \uD83D\uDE00 two'),
    ]);
    for (const bad of [nul!, lone!]) {
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.details.map((d: { field: string }) => d.field)).toContain('content');
    }
    expect(neighbours.map((r) => r.status)).toEqual([202, 202]);
    expect((await em().findOneOrFail(Conversation, id)).messageCount).toBe(2);
  });

  it('a message to a conversation another transaction holds locked waits for it, then is counted once', async () => {
    const id = await newConversation(platform, alice);
    const blocker = platform.orm.em.fork();
    await blocker.begin();
    await blocker
      .getConnection()
      .execute('select 1 from conversations where id = ? for update', [id], 'all', blocker.getTransactionContext());
    const [{ pid: blockerPid }] = (await blocker
      .getConnection()
      .execute('select pg_backend_pid() as pid', [], 'all', blocker.getTransactionContext())) as [{ pid: number }];
    const pending = post(alice, id, 'waits for the lock');
    // Wait until the post's statement is queued behind the blocker's lock (PostgreSQL says so), not for a while.
    await eventually(async () => {
      const [row] = await em()
        .getConnection()
        .execute<{ n: number }[]>(
          'select count(*)::int as n from pg_stat_activity where ?::int = any(pg_blocking_pids(pid))',
          [blockerPid],
        );
      return row!.n > 0;
    });
    expect(await em().count(Message, { conversation: id })).toBe(0);
    await blocker.rollback();
    expect((await pending).status).toBe(202);
    expect((await em().findOneOrFail(Conversation, id)).messageCount).toBe(1);
  });
});
