import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, jobContext, type TestPlatform } from '../support/platform.ts';
import { makeConversation, makeMessage, makeUser } from '../entities/fixtures.ts';
import { ConversationSummary } from '../../src/entities/conversation-summary.entity.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';
import type { User } from '../../src/entities/user.entity.ts';
import { processRetention } from '../../src/workers/retention.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

/** A user with one message, memory (short or long term) and summary at each of the given ages. */
async function userWithHistory(settings: Partial<UserPrivacySettings> | null, ages: number[]) {
  const em = platform.orm.em.fork();
  const user = await makeUser(em);
  if (settings) em.create(UserPrivacySettings, { user, ...settings });
  const conversation = await makeConversation(em, user);
  for (const age of ages) {
    const message = await makeMessage(em, conversation, { content: `said ${age} days ago` });
    em.create(MemoryItem, {
      user,
      conversation,
      message,
      content: `my sister Ana lives in Denver (${age})`,
      anonymizedVersion: `[NAME] lives in [ADDRESS] (${age})`,
      memoryType: 'relationship',
      storageType: 'long_term',
    });
    em.create(ConversationSummary, { conversation, user, summary: `summary ${age}` });
  }
  await em.flush();
  for (const age of ages) {
    const at = daysAgo(age);
    for (const [entity, field] of [
      [Message, 'content'],
      [MemoryItem, 'content'],
      [ConversationSummary, 'summary'],
    ] as const) {
      await em.nativeUpdate(
        entity as never,
        { user, [field]: { $like: `%${age}%` } } as never,
        { createdAt: at } as never,
      );
    }
  }
  return user;
}

const count = (entity: typeof Message | typeof MemoryItem | typeof ConversationSummary, user: User) =>
  platform.orm.em.fork().count(entity as never, { user } as never);

it('deletes or anonymizes by each user’s settings, and a second run changes nothing', async () => {
  const strict = await userWithHistory({ dataRetentionDays: 30, allowLongTermStorage: false }, [5, 40]);
  const keeper = await userWithHistory({ dataRetentionDays: 30, allowLongTermStorage: true }, [5, 40]);
  const defaults = await userWithHistory(null, [5, 400]);

  const first = await processRetention({}, jobContext(platform, 'retention'));
  expect(first.messages_deleted).toBeGreaterThanOrEqual(3);

  expect(await count(Message, strict)).toBe(1);
  expect(await count(MemoryItem, strict)).toBe(1);
  expect(await count(ConversationSummary, strict)).toBe(1);

  expect(await count(Message, keeper)).toBe(1); // raw messages never outlive retention
  const kept = await platform.orm.em.fork().find(MemoryItem, { user: keeper }, { orderBy: { createdAt: 'asc' } });
  expect(kept.map((m) => m.content)).toEqual(['[NAME] lives in [ADDRESS] (40)', 'my sister Ana lives in Denver (5)']);
  expect(await count(ConversationSummary, keeper)).toBe(2);

  expect(await count(Message, defaults)).toBe(1); // 365 days by default

  const second = await processRetention({}, jobContext(platform, 'retention'));
  for (const key of ['messages_deleted', 'memories_deleted', 'memories_anonymized', 'conversation_summaries_deleted']) {
    expect(second[key], key).toBe(0);
  }
});

it('expires short-term memories after 30 days whatever the settings', async () => {
  const em = platform.orm.em.fork();
  const user = await makeUser(em);
  em.create(UserPrivacySettings, { user, dataRetentionDays: 3650, allowLongTermStorage: true });
  const memory = em.create(MemoryItem, {
    user,
    content: 'tired today',
    memoryType: 'event',
    storageType: 'short_term',
  });
  await em.flush();
  await em.nativeUpdate(MemoryItem, { id: memory.id }, { createdAt: daysAgo(31) });
  await processRetention({}, jobContext(platform, 'retention'));
  expect(await count(MemoryItem, user)).toBe(0);
});
