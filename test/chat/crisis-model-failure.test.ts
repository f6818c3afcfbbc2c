// What the chat crisis step does when the sentence model cannot run: retry while attempts remain; on the
// last attempt decide with the lexicon alone, reach the safety network if it says so, and record the outage.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crisisDetectorFrom } from '../../src/chat/crisis-detector.ts';
import { chatProvidersFrom } from '../../src/chat/providers.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import type { SentenceEncoder } from '../../src/ml/sentence-encoder.ts';
import { memoryExtraction } from '../../src/queues/memory-extraction.ts';
import { outboxJobId } from '../../src/queues/producer.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import type { JobContext } from '../../src/workers/context.ts';
import { memoryExtractionProcessor } from '../../src/workers/memory-extraction.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { chatUser, newConversation, postMessage } from './helpers.ts';

// No workers: the test runs the processor itself, as the runtime would on each attempt.
let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const em = () => platform.orm.em.fork();
const brokenModel: SentenceEncoder = { embed: () => Promise.reject(new Error('thread gone')), close: async () => {} };
const run = memoryExtractionProcessor(() => ({
  ...chatProvidersFrom(platform.config),
  crisis: crisisDetectorFrom(platform.config, brokenModel),
}));
const attempt = (messageId: string, n: number) =>
  run({ message_id: messageId }, {
    em: em(),
    log: platform.log,
    queue: 'memory-extraction',
    jobId: `model-down-${n}`,
    attempt: n,
    producer: platform.producer,
  } as JobContext);

it('retries while attempts remain, then decides with the lexicon and records the outage', async () => {
  const user = await chatUser(platform);
  const conversation = await newConversation(platform, user);
  const { message_id } = await postMessage(platform, user, conversation, 'I want to die.');
  const last = memoryExtraction.options.attempts!;
  expect(last).toBe(10);

  await expect(attempt(message_id, 1)).rejects.toThrow('thread gone');
  expect(await em().findOneOrFail(Message, message_id)).toMatchObject({ requiresIntervention: false });
  expect(await em().count(OutboxJob, outboxJobId(safetyOutreach, `chat_message:${message_id}`))).toBe(0);

  await attempt(message_id, last);
  const message = await em().findOneOrFail(Message, message_id);
  expect(message.requiresIntervention).toBe(true);
  expect(message.crisisIndicators).toEqual(['want_to_die']);
  expect(await em().count(OutboxJob, outboxJobId(safetyOutreach, `chat_message:${message_id}`))).toBe(1);
  const outage = await em().find(SystemEvent, { eventType: 'crisis.model_unavailable', user: user.id });
  expect(outage).toHaveLength(1);
  expect(outage[0]!.eventData).toMatchObject({ message_id, crisis_level: 'high' });
});
