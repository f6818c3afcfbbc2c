// What bench/processing.ts needs from each job type: how to create jobs through the type's real producing
// path (no worker running) and how to check afterwards that every job's effect is there exactly once.
import type { Config } from '../../src/config.ts';
import type { createApp } from '../../src/api/app.ts';
import type { EntityManager, Orm } from '../../src/db/orm.ts';
import type { Logger } from '../../src/lib/logger.ts';
import type { JobDef } from '../../src/queues/define-job.ts';
import type { Producer } from '../../src/queues/producer.ts';

export interface ProduceDeps {
  config: Config;
  /** Opened for this produce step and closed after it, so its row counters reach pg_stat before the drain. */
  orm: Orm;
  app: ReturnType<typeof createApp>;
  producer: Producer;
  log: Logger;
}

export interface Produced {
  /** Jobs created (a scenario may round `n` to its own unit, e.g. whole calls). */
  jobs: number;
  /** What is wrong with the effects, one line per problem; empty when every job did its work exactly once. */
  verify(em: EntityManager): Promise<string[]>;
}

export interface Scenario {
  job: JobDef;
  /** What one job is, for the table title. */
  describe: string;
  produce(deps: ProduceDeps, n: number): Promise<Produced>;
}

/** Runs `task(0..n-1)` with at most `lanes` in flight, as concurrent clients would. */
export async function inLanes(n: number, lanes: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** An expected count against the actual one, as a problem line when they differ. */
export const expectCount = (what: string, actual: number, expected: number): string[] =>
  actual === expected ? [] : [`${what}: ${actual}, expected ${expected}`];
