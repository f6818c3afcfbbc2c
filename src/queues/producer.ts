// The only way anything is put on a queue: validate the payload, then Queue.add (or the outbox).
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { allJobs, jobByName } from './index.ts';
import type { JobDef, Payload } from './define-job.ts';
import { withTimeout } from '../lib/timeout.ts';
import { deterministicUuid } from '../lib/ids.ts';

export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
  readonly job: string;
  readonly issues: { path: string; message: string }[];
  constructor(job: string, issues: { path: string; message: string }[]) {
    super(`invalid ${job} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.job = job;
    this.issues = issues;
  }
}

/** Parses a payload against its contract; throws InvalidPayloadError, so nothing invalid reaches Redis. */
export function validatePayload<J extends JobDef>(job: J, payload: unknown): Payload<J> {
  const parsed = job.schema.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidPayloadError(
      job.name,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data as Payload<J>;
}

/** Redis did not take the job: the caller answers 503 (the API) or retries (a worker). */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

/**
 * BullMQ waits for Redis to come back before it sends a command; a request or a relay must not. A job
 * added after its timeout is harmless: the relay re-adds under the same job id, and BullMQ ignores that.
 */
const ADD_TIMEOUT_MS = 2_000;

/** Owns one BullMQ Queue per job type on a shared fail-fast connection. */
export class Producer {
  readonly #queues = new Map<string, Queue>();
  readonly connection: Redis;
  readonly prefix: string;

  constructor(connection: Redis, prefix: string) {
    this.connection = connection;
    this.prefix = prefix;
  }

  queue(job: JobDef): Queue {
    let queue = this.#queues.get(job.name);
    if (!queue) {
      queue = new Queue(job.name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: job.options });
      queue.on('error', () => {}); // as for its connection: errors surface on the calls

      this.#queues.set(job.name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return allJobs.map((job) => this.queue(job));
  }

  /** Validates and adds a job now. Use `enqueueInTransaction` for durable job types. */
  async enqueue<J extends JobDef>(job: J, payload: Payload<J>, opts: JobsOptions = {}): Promise<string> {
    const data = validatePayload(job, payload);
    // Known to be away: fail at once rather than after the timeout (a first connect may still succeed).
    if (['reconnecting', 'close', 'end'].includes(this.connection.status))
      throw new QueueUnavailableError(`redis ${this.connection.status}: ${job.name} not enqueued`);
    try {
      const added = await withTimeout(
        this.queue(job).add(job.name, data, { ...job.options, ...opts }),
        ADD_TIMEOUT_MS,
        `enqueue ${job.name}`,
      );
      return added.id!;
    } catch (err) {
      throw new QueueUnavailableError(`${job.name} not enqueued: ${(err as Error).message}`);
    }
  }

  /** Adds an outbox row to BullMQ under the row's id, so a second relay of the same row is a no-op. */
  async relay(row: OutboxEntry): Promise<void> {
    const job = jobByName(row.queue);
    if (!job) throw new Error(`outbox row ${row.id} names unknown queue ${row.queue}`);
    const options = { ...job.options, ...(row.options ?? {}), jobId: row.id };
    await withTimeout(
      this.queue(job).add(job.name, validatePayload(job, row.payload), options),
      ADD_TIMEOUT_MS,
      `relay ${job.name}`,
    );
  }

  /** relay() for many rows of one queue in one Redis round trip (addBulk); same ids, same de-duplication. */
  async relayMany(rows: OutboxEntry[]): Promise<void> {
    const job = jobByName(rows[0]?.queue ?? '');
    if (!job || rows.some((r) => r.queue !== job.name)) throw new Error('relayMany: rows of one known queue only');
    const bulk = rows.map((row) => ({
      name: job.name,
      data: validatePayload(job, row.payload),
      opts: { ...job.options, ...(row.options ?? {}), jobId: row.id },
    }));
    await withTimeout(this.queue(job).addBulk(bulk), ADD_TIMEOUT_MS, `relay ${rows.length} ${job.name}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#queues.clear();
  }
}

/** An outbox row before it is written: what `enqueueInTransaction` persists and `OutboxWriter` inserts. */
export type OutboxEntry = Pick<OutboxJob, 'id' | 'queue' | 'payload' | 'options'>;

/**
 * The outbox row of a durable job: the payload validated (nothing invalid is ever stored), the id random
 * or, with `jobKey`, derived from `${job name}:${jobKey}`, so the same cause can only ever be enqueued once.
 */
export function outboxEntry<J extends JobDef>(
  job: J,
  payload: Payload<J>,
  options: { jobKey?: string; delay?: number; priority?: number } = {},
): OutboxEntry {
  const data = validatePayload(job, payload) as Record<string, unknown>;
  const { jobKey, ...bullOptions } = options;
  return {
    id: jobKey ? outboxJobId(job, jobKey) : randomUUID(),
    queue: job.name,
    payload: data,
    options: Object.keys(bullOptions).length ? bullOptions : null,
  };
}

/**
 * Durable enqueue: persists an outbox row in the EntityManager's unit of work, so it commits (or rolls
 * back) with the data that caused it. The row id becomes the BullMQ job id. A keyed job's second row fails
 * the flush with a unique violation (check `em.findOne(OutboxJob, id)` first if a duplicate is expected).
 */
export function enqueueInTransaction<J extends JobDef>(
  em: EntityManager,
  job: J,
  payload: Payload<J>,
  options: { jobKey?: string; delay?: number; priority?: number } = {},
): OutboxJob {
  return em.create(OutboxJob, outboxEntry(job, payload, options));
}

/** The outbox row id (and BullMQ job id) of a keyed durable job. */
export const outboxJobId = (job: JobDef, jobKey: string) => deterministicUuid(`${job.name}:${jobKey}`);
