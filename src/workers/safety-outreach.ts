// A crisis trigger: open the user's incident (its first step is enqueued in the same transaction) or
// join the open one. Retry / duplicate delivery: the trigger key is found on the incident → no-op.
// Concurrent triggers of one user: serialised by a lock on the user row (see openOrJoinIncident).
import type { Payload } from '../queues/define-job.ts';
import type { safetyOutreach } from '../queues/safety-outreach.ts';
import type { JobContext } from './context.ts';
import { getConfig } from '../config.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import { openOrJoinIncident } from '../safety/incidents.ts';

export async function processSafetyOutreach(p: Payload<typeof safetyOutreach>, ctx: JobContext) {
  const { OUTREACH_DEDUPE_MINUTES } = getConfig();
  const result = await ctx.em.transactional((tx) =>
    openOrJoinIncident(
      tx,
      {
        userId: p.user_id,
        trigger: p.trigger,
        sourceId: p.source_id,
        crisisLevel: p.crisis_level,
        detectedAt: new Date(p.detected_at),
      },
      { dedupeMinutes: OUTREACH_DEDUPE_MINUTES },
    ),
  );
  if (!result) {
    ctx.log.warn({ user_id: p.user_id }, 'safety outreach for a user that does not exist');
    return { skipped: 'no_user' };
  }
  for (const row of result.jobs) void relayNow(ctx.em, ctx.producer, row);
  ctx.log.info(
    { incident_id: result.incident.id, outcome: result.outcome, steps: result.incident.plan.length },
    'safety trigger',
  );
  return { incident_id: result.incident.id, outcome: result.outcome };
}
