// The platform's own periodic jobs, declared in one place. The clock upserts them as BullMQ job
// schedulers on start (idempotent, so any number of clocks may run) and removes the ones no longer declared.
// User schedules are not here: they live in PostgreSQL (see the schedules issue).
import { ErrorCode } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import type { JobDef, Payload } from '../queues/define-job.ts';
import { validatePayload, type Producer } from '../queues/producer.ts';
import { retention } from '../queues/retention.ts';
import { jobs } from '../queues/index.ts';
import { vapiCallSync } from '../queues/vapi-call-sync.ts';

export interface PeriodicJob<J extends JobDef = JobDef> {
  /** Stable scheduler id: renaming it creates a new scheduler and removes the old. */
  id: string;
  job: J;
  /** Cron pattern (UTC unless tz is set); 6 fields for seconds. */
  cron: string;
  tz?: string;
  payload: Payload<J>;
}

export const periodic = <J extends JobDef>(p: PeriodicJob<J>): PeriodicJob => p as unknown as PeriodicJob;

/** Every periodic job of the platform. */
export function periodicJobs(config: Config): PeriodicJob[] {
  return [
    periodic({ id: 'retention-daily', job: retention, cron: '17 3 * * *', payload: {} }),
    // User sync: only where the Auth admin API is configured (docs/user-sync.md).
    ...(config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY
      ? [periodic({ id: 'user-reconcile', job: jobs.userReconcile, cron: config.USER_RECONCILE_CRON, payload: {} })]
      : []),
    periodic({ id: 'vapi-call-sync', job: vapiCallSync, cron: '*/5 * * * *', payload: {} }),
    // Memories whose vectors are not in the configured model's space (docs/chat-memory.md).
    periodic({ id: 'memory-reembed', job: jobs.memoryReembed, cron: '*/10 * * * *', payload: {} }),
  ];
}

export async function upsertPeriodicJobs(
  producer: Producer,
  declared: readonly PeriodicJob[],
  log: Logger,
): Promise<void> {
  const byQueue = new Map<string, PeriodicJob[]>();
  for (const p of declared) byQueue.set(p.job.name, [...(byQueue.get(p.job.name) ?? []), p]);
  for (const p of declared) {
    const data = validatePayload(p.job, p.payload);
    try {
      await producer.queue(p.job).upsertJobScheduler(
        p.id,
        { pattern: p.cron, ...(p.tz ? { tz: p.tz } : {}) },
        {
          name: p.job.name,
          data,
          opts: p.job.options,
        },
      );
    } catch (err) {
      // Another clock (its time a little ahead of ours) already created, and ran, the iteration we computed:
      // the scheduler is in place, so this clock starts rather than crash (found by the chaos clocks scenario).
      if ((err as { code?: unknown }).code !== ErrorCode.SchedulerJobIdCollision) throw err;
      log.warn({ scheduler: p.id }, 'periodic job: its next run exists already (another clock); kept');
    }
  }
  // Remove schedulers that code no longer declares (only on queues this clock knows).
  for (const queue of producer.allQueues()) {
    const keep = new Set((byQueue.get(queue.name) ?? []).map((p) => p.id));
    for (const scheduler of await queue.getJobSchedulers()) {
      if (scheduler.key && !keep.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
    }
  }
  log.info({ periodic: declared.map((p) => `${p.id} (${p.cron})`) }, 'periodic jobs scheduled');
}
