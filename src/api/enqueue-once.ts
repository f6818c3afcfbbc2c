// Durable keyed enqueue for a request: the same cause (jobKey) gives one outbox row and one job however
// often it arrives, even twice at once. Answers the job id either way.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { JobDef, Payload } from '../queues/define-job.ts';
import { enqueueInTransaction, outboxJobId, type Producer } from '../queues/producer.ts';
import { relayNow } from '../queues/outbox-relay.ts';

export async function enqueueOnce<J extends JobDef>(
  em: EntityManager,
  producer: Producer,
  job: J,
  payload: Payload<J>,
  jobKey: string,
): Promise<{ jobId: string; duplicate: boolean }> {
  const jobId = outboxJobId(job, jobKey);
  if (await em.findOne(OutboxJob, jobId)) return { jobId, duplicate: true };
  const row = enqueueInTransaction(em, job, payload, { jobKey });
  try {
    await em.flush();
  } catch (err) {
    // The same cause in two requests at once: the other one enqueued it.
    if (err instanceof UniqueConstraintViolationException) return { jobId, duplicate: true };
    throw err;
  }
  void relayNow(em, producer, row);
  return { jobId, duplicate: false };
}
