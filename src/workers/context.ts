import type { WorkerOptions } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../lib/logger.ts';
import type { JobDef, Payload } from '../queues/define-job.ts';
import type { Producer } from '../queues/producer.ts';

/** What a processor gets besides its payload. It never sees the BullMQ Job object. */
export interface JobContext {
  /** A fresh fork per job (MikroORM's identity map is per unit of work). */
  em: EntityManager;
  log: Logger;
  queue: string;
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** For follow-up jobs. */
  producer: Producer;
}

export type Processor<J extends JobDef = JobDef> = (payload: Payload<J>, ctx: JobContext) => Promise<unknown>;

/** Binds a processor to its contract, so the registry stays type-checked. */
export interface Registration<J extends JobDef = JobDef> {
  job: J;
  process: Processor<J>;
  /** Extra BullMQ Worker options for this queue (e.g. a rate limiter), read when the worker starts. */
  workerOptions?: () => Pick<WorkerOptions, 'limiter'>;
}

export const register = <J extends JobDef>(
  job: J,
  process: Processor<J>,
  workerOptions?: Registration['workerOptions'],
): Registration => ({ job, process, ...(workerOptions ? { workerOptions } : {}) }) as unknown as Registration;
