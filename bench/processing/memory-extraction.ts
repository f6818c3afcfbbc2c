// memory-extraction jobs the way users make them: POST /v1/conversations/:id/messages with the labelled
// lines of eval/messages.jsonl (PII, crisis, memory-worthy, chit-chat), a few users posting at once.
import { readFileSync } from 'node:fs';
import { MemoryItem } from '../../src/entities/memory-item.entity.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { memoryExtraction } from '../../src/queues/memory-extraction.ts';
import { chatUser, newConversation, postMessage } from '../../test/chat/helpers.ts';
import { expectCount, inLanes, type Scenario } from './scenario.ts';

const USERS = 8;
const texts: string[] = readFileSync(new URL('../../eval/messages.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { text: string }).text);

export const memoryExtractionScenario: Scenario = {
  job: memoryExtraction,
  describe: `POST message (eval/messages.jsonl lines, ${USERS} users)`,
  async produce(deps, n) {
    const users = await Promise.all(
      Array.from({ length: USERS }, async () => {
        const user = await chatUser(deps);
        return { user, conversation: await newConversation(deps, user) };
      }),
    );
    const ids: string[] = [];
    // Every level posts the same lines in the same order, so the levels compare like with like.
    await inLanes(n, USERS, async (i) => {
      const { user, conversation } = users[i % USERS]!;
      ids.push((await postMessage(deps, user, conversation, texts[i % texts.length]!)).message_id);
    });
    return {
      jobs: n,
      async verify(em) {
        const messages = await em.find(
          Message,
          { id: { $in: ids } },
          { fields: ['memoryExtracted', 'memoryItemsCreated'] },
        );
        const created = messages.reduce((sum, m) => sum + m.memoryItemsCreated, 0);
        return [
          ...expectCount('messages marked memory_extracted', messages.filter((m) => m.memoryExtracted).length, n),
          ...expectCount(
            'memory_items rows (vs memory_items_created)',
            await em.count(MemoryItem, { message: { $in: ids } }),
            created,
          ),
        ];
      },
    };
  },
};
