// One job type = one contract: queue name, payload schema, default options. The API route, the worker
// and the tests all import the same contract object.
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

export interface JobDef<N extends string = string, S extends z.ZodType = z.ZodType> {
  /** Queue name and job name: one queue per job type. */
  readonly name: N;
  /** JSON-shaped payload of ids and flags, never message text, phone numbers or other PII. */
  readonly schema: S;
  readonly options: JobsOptions;
  /**
   * Enqueued through the transactional outbox (`enqueueInTransaction`): the job row commits with the
   * data that caused it, so it survives Redis being down.
   */
  readonly durable: boolean;
  /**
   * Jobs of this type one worker process runs at once, when the measured best differs from
   * WORKER_CONCURRENCY (the default for every type without one; figures: README, Jobs).
   */
  readonly concurrency?: number;
}

export type Payload<J extends JobDef> = z.infer<J['schema']>;

export const defineJob = <const N extends string, S extends z.ZodType>(def: JobDef<N, S>): JobDef<N, S> =>
  Object.freeze(def);

/** Retry policy shared by every job type unless its contract says otherwise. */
export const defaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  // Keep finished jobs for a day: a re-added job id inside that window is ignored by BullMQ (idempotent relay).
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const satisfies JobsOptions;
