// Executions, counted from the processes themselves: every worker logs `job completed` (queue, job id) once
// per successful run, before BullMQ records the completion. Idempotent effects (rows keyed by the job id,
// inserted "on conflict do nothing") hide a job that ran twice, so the database alone cannot prove "once";
// this ledger can. A second completion of one job id is legitimate only after BullMQ declared the first run
// stalled (its worker died or lost Redis before recording the completion): its `stc` counter says so.
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { allJobs } from '../src/queues/index.ts';

type LogEntry = Record<string, unknown>;

export class JobLedger {
  /** `${queue}\t${jobId}` → successful runs. */
  readonly #completions = new Map<string, number>();
  /** Attempts that failed and will be retried (`job failed; will retry`). */
  retries = 0;

  /** Feed every JSON log line of every Hearth process here. */
  record(entry: LogEntry): void {
    if (entry.msg === 'job completed') {
      const key = `${entry.queue}\t${entry.jobId}`;
      this.#completions.set(key, (this.#completions.get(key) ?? 0) + 1);
    } else if (entry.msg === 'job failed; will retry') this.retries += 1;
  }

  /** Job ids of `queue` that completed at least once. */
  completedIds(queue: string): string[] {
    const ids: string[] = [];
    for (const key of this.#completions.keys()) {
      const [q, id] = key.split('\t');
      if (q === queue) ids.push(id!);
    }
    return ids;
  }

  /**
   * Runs beyond the first that no stall explains, over every queue: must be 0 wherever the design promises
   * once. `rerunsAfterStall` counts the explained ones (at-least-once doing its job).
   */
  async doubles(redisUrl: string, prefix: string): Promise<{ doubles: number; rerunsAfterStall: number }> {
    const repeated = [...this.#completions].filter(([, n]) => n > 1);
    if (!repeated.length) return { doubles: 0, rerunsAfterStall: 0 };
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let doubles = 0;
      let rerunsAfterStall = 0;
      for (const [key, n] of repeated) {
        const [queue, id] = key.split('\t');
        const stalled = Number((await redis.hget(`${prefix}:${queue}:${id}`, 'stc')) ?? 0);
        rerunsAfterStall += Math.min(n - 1, stalled);
        doubles += Math.max(0, n - 1 - stalled);
      }
      return { doubles, rerunsAfterStall };
    } finally {
      redis.disconnect();
    }
  }
}

/** Counts BullMQ's `stalled` events over every queue: a job whose worker died mid-run was found and released. */
export async function watchStalls(redisUrl: string, prefix: string) {
  let stalled = 0;
  const { hostname, port } = new URL(redisUrl);
  const events = allJobs.map((job) => {
    const e = new QueueEvents(job.name, { connection: { host: hostname, port: Number(port || 6379) }, prefix });
    e.on('stalled', () => {
      stalled += 1;
    });
    e.on('error', () => undefined); // reconnects by itself
    return e;
  });
  await Promise.all(events.map((e) => e.waitUntilReady()));
  return {
    count: () => stalled,
    close: () => Promise.all(events.map((e) => e.close())),
  };
}
