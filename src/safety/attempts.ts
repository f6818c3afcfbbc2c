// The contact_logs side of an outreach attempt. The row is written BEFORE the provider is called, under
// an id derived from (incident, step) — the step fixes contact and method —, so a retried or duplicated
// step job finds it and never sends again. contact_metadata.state: sending → sent | failed | unknown.
import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import type { ContactInitiator } from '../domain/enums.ts';
import type { OutreachStep } from '../domain/outreach-policy.ts';
import { ContactLog } from '../entities/contact-log.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { SafetyContact } from '../entities/safety-contact.entity.ts';
import { SafetyIncident } from '../entities/safety-incident.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { safetyEscalate } from '../queues/safety-escalate.ts';
import type { DeliveryOutcome } from './deliver.ts';

export type AttemptState = 'sending' | 'sent' | 'failed' | 'unknown';

export const attemptLogId = (incidentId: string, step: number) =>
  deterministicUuid(`outreach-attempt:${incidentId}:${step}`);

export type Claim =
  | {
      logId: string;
      prior: ContactLog | null;
      contact: SafetyContact | null;
      planned: OutreachStep;
      plan: OutreachStep[];
    }
  | { skipped: 'closed' | 'superseded' | 'past_plan' };

/**
 * Inserts the attempt row if absent and moves the incident's current step forward; `prior` = the row an
 * earlier run wrote (null when this call inserted it). The incident row is locked meanwhile, so a re-plan (a critical trigger joining) and a
 * claim never interleave: the step's contact and method are read from the plan under that lock.
 */
export async function claimAttempt(
  em: EntityManager,
  a: { incidentId: string; step: number; initiatedBy: ContactInitiator },
): Promise<Claim> {
  const id = attemptLogId(a.incidentId, a.step);
  type Claimed =
    | (Omit<Extract<Claim, { logId: string }>, 'prior'> & { fresh: boolean })
    | Extract<Claim, { skipped: string }>;
  const claim = await em.transactional(async (tx): Promise<Claimed> => {
    const incident = await tx.findOneOrFail(SafetyIncident, a.incidentId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (incident.status !== 'open') return { skipped: 'closed' as const };
    if (a.step < incident.currentStep) return { skipped: 'superseded' as const };
    const planned = incident.plan[a.step];
    if (!planned) return { skipped: 'past_plan' as const };
    const contact = await tx.findOne(
      SafetyContact,
      { id: planned.contact_id, user: incident.user.id },
      { populate: ['contactUser'] },
    );
    const res = await tx
      .createQueryBuilder(ContactLog)
      .insert({
        id,
        safetyContact: contact?.id ?? null,
        user: incident.user.id,
        attemptedAt: new Date(),
        contactMethod: planned.method,
        success: false,
        reason: incident.triggers[0]?.trigger === 'manual_alert' ? 'manual_alert' : 'crisis_detected',
        initiatedBy: a.initiatedBy,
        contactMetadata: { incident_id: incident.id, step: a.step, state: 'sending' },
      })
      .onConflict('id')
      .ignore()
      .execute('run');
    incident.currentStep = Math.max(incident.currentStep, a.step);
    return { logId: id, fresh: res.affectedRows > 0, contact, planned, plan: incident.plan };
  });
  if ('skipped' in claim) return claim;
  const { fresh, ...rest } = claim;
  return { ...rest, prior: fresh ? null : await em.findOneOrFail(ContactLog, id, { refresh: true }) };
}

/** What an earlier run of the attempt concluded, for a run that finds the row already written. */
export function priorOutcome(log: ContactLog): DeliveryOutcome {
  const state = log.contactMetadata.state as AttemptState;
  if (state === 'sent')
    return {
      ok: true,
      providerId: String(log.contactMetadata.provider_id ?? ''),
      providerStatus: 'sent',
      messageContent: log.messageContent ?? '',
    };
  if (state === 'sending') {
    // Crashed between claiming and recording: the provider may or may not have sent it. Never resend
    // (no person gets the same text twice); count it as failed so the next method/contact is tried now.
    return {
      ok: false,
      unknown: true,
      error: 'outcome unknown: interrupted mid-send; not repeated',
      messageContent: log.messageContent ?? null,
    };
  }
  return { ok: false, error: log.errorMessage ?? state, messageContent: log.messageContent ?? null };
}

/**
 * Records the outcome on the attempt row and the contact, and enqueues the next step (once: its outbox id
 * is deterministic) — all in one transaction. Returns the outbox row to relay, if this call wrote it.
 */
export async function finishAttempt(
  em: EntityManager,
  a: {
    logId: string;
    contactId: string | null;
    outcome: DeliveryOutcome;
    incidentId: string;
    next: number;
    delayMs: number;
  },
): Promise<OutboxJob | null> {
  const { outcome } = a;
  return em.transactional(async (tx) => {
    const log = await tx.findOneOrFail(ContactLog, a.logId, { refresh: true });
    const state: AttemptState = outcome.ok ? 'sent' : outcome.unknown ? 'unknown' : 'failed';
    if (log.contactMetadata.state === 'sending') {
      log.success = outcome.ok;
      log.messageContent = outcome.messageContent;
      log.errorMessage = outcome.ok ? null : outcome.error;
      log.contactMetadata = {
        ...log.contactMetadata,
        state,
        ...(outcome.ok ? { provider_id: outcome.providerId, provider_status: outcome.providerStatus } : {}),
      };
      if (a.contactId) {
        await tx.nativeUpdate(
          SafetyContact,
          { id: a.contactId },
          { lastContactedAt: log.attemptedAt, lastContactMethod: log.contactMethod, lastContactSuccessful: outcome.ok },
        );
      }
    }
    const nextId = outboxJobId(safetyEscalate, `${a.incidentId}:${a.next}`);
    if (await tx.findOne(OutboxJob, nextId)) return null;
    return enqueueInTransaction(
      tx,
      safetyEscalate,
      { incident_id: a.incidentId, step: a.next },
      {
        jobKey: `${a.incidentId}:${a.next}`,
        ...(a.delayMs > 0 ? { delay: a.delayMs } : {}),
      },
    );
  });
}
