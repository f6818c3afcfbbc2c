// Twilio delivery status callbacks for outreach SMS (the callback URL names the contact_logs row). A
// message Twilio could not deliver counts as a failed attempt: if the incident is still at that step,
// the next method or contact is tried at once instead of after the escalation delay.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ContactLog } from '../entities/contact-log.entity.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import { SafetyContact } from '../entities/safety-contact.entity.ts';
import { SafetyIncident } from '../entities/safety-incident.entity.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { safetyEscalate } from '../queues/safety-escalate.ts';

const FAILED = new Set(['failed', 'undelivered', 'canceled']);
const DELIVERED = new Set(['sent', 'delivered', 'read']);
// Twilio does not order its callbacks: a status never moves back (a late `sent` must not hide `undelivered`).
const RANK: Record<string, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  canceled: 3,
  read: 4,
};
const rank = (status: unknown) => RANK[String(status)] ?? -1;

/** Applies one callback; returns the outbox row to relay when it moved the outreach on. Idempotent. */
export async function applySmsStatus(
  em: EntityManager,
  logId: string,
  p: { MessageSid?: string; MessageStatus?: string; ErrorCode?: string },
): Promise<OutboxJob | null> {
  return em.transactional(async (tx) => {
    // Locked: concurrent callbacks of one message are applied one after the other, each against the last.
    const log = await tx.findOne(ContactLog, logId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const status = p.MessageStatus ?? '';
    if (log?.contactMethod !== 'sms') return null;
    const meta = log.contactMetadata;
    if (meta.provider_id && meta.provider_id !== p.MessageSid) return null;
    if (meta.delivery_status !== undefined && rank(status) <= rank(meta.delivery_status)) return null; // older or repeated
    log.contactMetadata = {
      ...meta,
      provider_id: p.MessageSid,
      delivery_status: status,
      ...(meta.state === 'sending' && DELIVERED.has(status) ? { state: 'sent' } : {}),
    };
    if (DELIVERED.has(status) && meta.state === 'sending') log.success = true;
    if (!FAILED.has(status)) return null;

    log.success = false;
    log.errorMessage = `twilio ${status} code ${p.ErrorCode ?? 'none'}`;
    if (log.safetyContact)
      await tx.nativeUpdate(SafetyContact, { id: log.safetyContact.id }, { lastContactSuccessful: false });
    const incident = await tx.findOne(SafetyIncident, String(meta.incident_id));
    const step = Number(meta.step);
    if (incident?.status !== 'open' || incident.currentStep !== step) return null;
    const key = `${incident.id}:${step + 1}:after-undelivered`;
    if (await tx.findOne(OutboxJob, outboxJobId(safetyEscalate, key))) return null;
    return enqueueInTransaction(tx, safetyEscalate, { incident_id: incident.id, step: step + 1 }, { jobKey: key });
  });
}
