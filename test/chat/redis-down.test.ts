// A message posted while Redis is down is still accepted (its job is in the outbox); when Redis returns,
// the relay delivers it and the crisis check runs: no stored message ever misses it.
import { expect, it } from 'vitest';
import { eventually } from '../support/platform.ts';
import { platformOnOwnRedis } from '../support/redis-server.ts';
import { Message } from '../../src/entities/message.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { startOutboxRelay } from '../../src/queues/outbox-relay.ts';
import { chatUser, newConversation, postMessage } from './helpers.ts';

const { redis, platform: current } = platformOnOwnRedis();

it('accepts a crisis message with Redis down, then assesses it once Redis is back', async () => {
  const platform = current();
  const user = await chatUser(platform);
  const conversationId = await newConversation(platform, user);
  await redis.stop();

  const started = Date.now();
  const { message_id, job_id } = await postMessage(platform, user, conversationId, 'I want to die');
  expect(Date.now() - started).toBeLessThan(3_000);
  const em = () => platform.orm.em.fork();
  expect(await em().findOneOrFail(Message, message_id)).toMatchObject({
    memoryExtracted: false,
    requiresIntervention: false,
  });

  const relay = startOutboxRelay({
    em: platform.orm.em,
    producer: platform.producer,
    log: platform.log,
    intervalMs: 100,
    batchSize: 10,
  });
  try {
    await new Promise((r) => setTimeout(r, 400));
    expect((await em().findOneOrFail(OutboxJob, job_id)).enqueuedAt).toBeNull();
    await redis.start();
    platform.startWorkers();
    const message = await eventually(async () => {
      const m = await em().findOneOrFail(Message, message_id);
      return m.memoryExtracted && m;
    }, 20_000);
    expect(message.requiresIntervention).toBe(true);
    expect(message.crisisIndicators).toContain('want_to_die');
    // The outreach job the crisis step wrote is durable too: it reaches Redis through the same relay.
    await eventually(
      async () =>
        (await em().find(OutboxJob, { queue: 'safety-outreach', payload: { source_id: message_id } }))[0]?.enqueuedAt,
      15_000,
    );
  } finally {
    await relay.stop();
  }
});
