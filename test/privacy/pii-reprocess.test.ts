// Turning auto_anonymize_pii on later re-processes what was stored before, in the background.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform.ts';
import { call, chatUser, newConversation, postMessage } from '../chat/helpers.ts';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { UserPrivacySettings } from '../../src/entities/user-privacy-settings.entity.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
  platform.startWorkers();
});
afterAll(() => platform.close());

it('redacts stored messages and memories once the user turns anonymization on', async () => {
  const user = await chatUser(platform);
  const em = platform.orm.em.fork();
  em.create(UserPrivacySettings, { user: user.id, autoAnonymizePii: false });
  await em.flush();
  const conversation = await newConversation(platform, user);
  const { message_id } = await postMessage(
    platform,
    user,
    conversation,
    'My sister lives with me and my email is ana.private@example.org',
  );
  // Generous: the worker loads the sentence model on its first message (seconds on a busy machine).
  const stored = await eventually(async () => {
    const m = await platform.orm.em.fork().findOneOrFail(Message, message_id);
    return m.memoryExtracted ? m : null;
  }, 60_000);
  expect(stored.processedContent).toContain('ana.private@example.org');

  expect((await call(platform, user, 'PATCH', '/v1/privacy', { auto_anonymize_pii: true })).status).toBe(200);
  const redacted = await eventually(async () => {
    const m = await platform.orm.em.fork().findOneOrFail(Message, message_id);
    return m.processedContent?.includes('[EMAIL]') ? m : null;
  });
  expect(redacted.content).toContain('ana.private@example.org'); // the original stays for the crisis check
  // Memories are re-processed after the messages, in their own transactions: wait for them too.
  const memories = await eventually(async () => {
    const found = await platform.orm.em.fork().find(MemoryItem, { user: user.id });
    return found.every((m) => !`${m.content} ${m.processedContent}`.includes('ana.private@example.org')) ? found : null;
  }, 30_000);
  expect(memories.length).toBeGreaterThan(0);
});
