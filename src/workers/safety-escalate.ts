// One step of an incident's outreach: claim the attempt (contact_logs row first), deliver, record, and
// enqueue what follows — the next contact after the escalation delay if delivered, the next method or
// contact at once if not, and past the last step: the incident is exhausted (critical system event, and
// the job fails for good so the board's Failed list shows it).
// Retry / duplicate: the attempt row exists → nothing is sent again; the successor's outbox id is fixed.
// Crash after the provider answered but before the outcome was written: see priorOutcome (never resent).
import { UnrecoverableError } from 'bullmq';
import { LockMode } from '@mikro-orm/core';
import type { Payload } from '../queues/define-job.ts';
import type { safetyEscalate } from '../queues/safety-escalate.ts';
import type { JobContext } from './context.ts';
import { getConfig } from '../config.ts';
import { ContactLog } from '../entities/contact-log.entity.ts';
import { SafetyIncident } from '../entities/safety-incident.entity.ts';
import { nextStep, stepDelayMs } from '../domain/outreach-policy.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import { attemptLogId, claimAttempt, finishAttempt, priorOutcome } from '../safety/attempts.ts';
import { deliver, redoable, type DeliveryOutcome } from '../safety/deliver.ts';
import { recordSystemEvent } from '../db/system-events.ts';

export async function processSafetyEscalate(p: Payload<typeof safetyEscalate>, ctx: JobContext) {
  const config = getConfig();
  const incident = await ctx.em.findOne(SafetyIncident, p.incident_id, { populate: ['user'] });
  if (!incident) return { skipped: 'no_incident' };
  if (incident.status !== 'open') return { skipped: incident.status };
  // A later step already ran: this one finished earlier (it enqueued that step), nothing left to do.
  if (p.step < incident.currentStep) return { skipped: 'superseded' };
  if (p.step >= incident.plan.length) return exhaust(ctx, incident, p.step);

  const claim = await claimAttempt(ctx.em, {
    incidentId: incident.id,
    step: p.step,
    initiatedBy: p.step === 0 ? (incident.triggers[0]?.trigger === 'manual_alert' ? 'user' : 'system') : 'escalation',
  });
  if ('skipped' in claim) return claim;
  const { logId, prior, contact, planned, plan } = claim;

  let outcome: DeliveryOutcome;
  // A re-run: keep what the first run concluded; only database-only deliveries are redone after a crash.
  if (prior && (prior.contactMetadata.state !== 'sending' || !redoable(planned.method))) outcome = priorOutcome(prior);
  else if (!contact?.isActive)
    outcome = { ok: false, error: 'contact removed or deactivated since the plan was made', messageContent: null };
  else outcome = await deliver({ em: ctx.em, config, incident, contact, method: planned.method, logId });

  const now = new Date();
  const next = nextStep(plan, p.step, outcome.ok);
  const delayMs = stepDelayMs(plan, next, outcome.ok ? config.OUTREACH_ESCALATE_MINUTES * 60_000 : 0, now);
  const row = await finishAttempt(ctx.em, {
    logId,
    contactId: contact?.id ?? null,
    outcome,
    incidentId: incident.id,
    next,
    delayMs,
  });
  for (const job of [...(outcome.ok ? (outcome.jobs ?? []) : []), ...(row ? [row] : [])])
    void relayNow(ctx.em, ctx.producer, job);

  const result = {
    incident_id: incident.id,
    step: p.step,
    method: planned.method,
    delivered: outcome.ok,
    next,
    delay_ms: delayMs,
  };
  ctx.log.info({ ...result, ...(outcome.ok ? {} : { error: outcome.error }) }, 'outreach attempt');
  return result;
}

/** Nobody acknowledged and no step is left: close the incident and raise a critical event for the operator. */
async function exhaust(ctx: JobContext, incident: SafetyIncident, step: number) {
  const attempts = incident.plan.map((_, i) => attemptLogId(incident.id, i));
  const delivered = attempts.length ? await ctx.em.count(ContactLog, { id: { $in: attempts }, success: true }) : 0;
  const closed = await ctx.em.transactional(async (tx) => {
    // Under the incident lock: an emergency re-plan may have added steps since it was read.
    const locked = await tx.findOneOrFail(SafetyIncident, incident.id, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    if (locked.status !== 'open' || step < locked.plan.length) return false;
    locked.status = 'exhausted';
    locked.closedAt = new Date();
    await recordSystemEvent(tx, `safety-exhausted:${incident.id}`, {
      userId: incident.user.id,
      eventType: 'safety.outreach_exhausted',
      eventCategory: 'safety',
      severity: 'critical',
      eventData: {
        incident_id: incident.id,
        planned_attempts: attempts.length,
        delivered_attempts: delivered,
        emergency: incident.emergency,
      },
    });
    return true;
  });
  if (!closed) return { incident_id: incident.id, skipped: 'acknowledged_or_replanned' };
  ctx.log.error(
    { incident_id: incident.id, planned: attempts.length, delivered },
    'safety outreach exhausted: nobody acknowledged',
  );
  // Fail the job for good: it stays in the board's Failed list (kept forever), where an operator looks.
  throw new UnrecoverableError(
    `safety outreach exhausted: nobody acknowledged incident ${incident.id} (${delivered}/${attempts.length} attempts delivered)`,
  );
}
