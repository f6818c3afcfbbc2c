// Acknowledging an incident stops its escalation: the step jobs still queued find it closed and do
// nothing. Idempotent: acknowledging twice keeps the first acknowledgement. An exhausted incident can
// still be acknowledged (someone answered late); the critical event stays as the record of the gap.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ContactLog } from '../entities/contact-log.entity.ts';
import { SafetyContact } from '../entities/safety-contact.entity.ts';
import { SafetyIncident } from '../entities/safety-incident.entity.ts';
import { recordSystemEvent } from '../db/system-events.ts';
import { attemptLogId } from './attempts.ts';

/** Who acknowledges: a user by token (the user in crisis or an internal contact), or an external contact by signed link. */
export type Acknowledger = { userId: string } | { contactId: string };

/** Returns the incident after acknowledgement, or null when it does not exist or the caller may not see it. */
export async function acknowledgeIncident(
  em: EntityManager,
  incidentId: string,
  by: Acknowledger,
): Promise<SafetyIncident | null> {
  const incident = await em.findOne(SafetyIncident, incidentId);
  if (!incident) return null;
  let ackBy: string;
  let contactId: string | null = null;
  if ('contactId' in by) {
    // A link names its contact: it must be one of this user's contacts that this incident's outreach reached
    // (so a forged or misdirected token, even one signed with a known key, acknowledges nothing).
    const planned = incident.plan.some((s) => s.contact_id === by.contactId);
    if (!planned || !(await em.count(SafetyContact, { id: by.contactId, user: incident.user.id }))) return null;
    ackBy = `contact:${by.contactId}`;
    contactId = by.contactId;
  } else if (by.userId === incident.user.id) {
    ackBy = 'user';
  } else {
    const contact = await em.findOne(SafetyContact, { user: incident.user.id, contactUser: by.userId });
    // A contact the user has removed may not stop an outreach, unless this very incident reached out to them.
    if (!contact || (!contact.isActive && !incident.plan.some((s) => s.contact_id === contact.id))) return null;
    ackBy = `contact_user:${by.userId}`;
    contactId = contact.id;
  }
  if (incident.status === 'acknowledged') return incident;

  const now = new Date();
  await em.transactional(async (tx) => {
    const n = await tx.nativeUpdate(
      SafetyIncident,
      { id: incident.id, status: { $ne: 'acknowledged' } },
      { status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: ackBy, closedAt: incident.closedAt ?? now },
    );
    if (n === 0) return;
    if (contactId) await markResponse(tx, incident, contactId, now);
    await recordSystemEvent(tx, `safety-acknowledged:${incident.id}`, {
      userId: incident.user.id,
      eventType: 'safety.incident_acknowledged',
      eventCategory: 'safety',
      severity: 'info',
      eventData: { incident_id: incident.id, acknowledged_by: ackBy.split(':')[0] },
    });
  });
  return em.findOneOrFail(SafetyIncident, incident.id, { refresh: true });
}

/** The contact's latest attempt in this incident got a response. */
async function markResponse(tx: EntityManager, incident: SafetyIncident, contactId: string, now: Date) {
  const ids = incident.plan.flatMap((s, i) => (s.contact_id === contactId ? [attemptLogId(incident.id, i)] : []));
  if (!ids.length) return;
  const latest = await tx.findOne(ContactLog, { id: { $in: ids } }, { orderBy: { attemptedAt: 'desc' } });
  if (!latest) return;
  latest.responseReceived = true;
  latest.responseTimeMinutes = Math.max(0, Math.round((now.getTime() - latest.attemptedAt.getTime()) / 60_000));
  latest.responseSummary = 'acknowledged';
}
