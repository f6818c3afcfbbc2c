// Opening or joining a user's safety incident: one open incident per user, repeated triggers join it.
// Shared by the safety-outreach processor and POST /v1/safety/alerts (which needs the id at once).
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { lockUser } from '../db/locks.ts';
import { ContactLog } from '../entities/contact-log.entity.ts';
import { SafetyContact } from '../entities/safety-contact.entity.ts';
import { SafetyIncident, type IncidentTrigger } from '../entities/safety-incident.entity.ts';
import type { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { OutreachLevel } from '../domain/enums.ts';
import { isEmergency, planOutreach, stepDelayMs, type PolicyContact } from '../domain/outreach-policy.ts';
import { enqueueInTransaction } from '../queues/producer.ts';
import { safetyEscalate } from '../queues/safety-escalate.ts';
import type { OUTREACH_TRIGGERS } from '../queues/safety-outreach.ts';
import { attemptLogId } from './attempts.ts';

export interface TriggerInput {
  userId: string;
  trigger: (typeof OUTREACH_TRIGGERS)[number];
  sourceId: string | null;
  crisisLevel: OutreachLevel;
  detectedAt: Date;
  reason?: string | null;
}

export interface IncidentResult {
  incident: SafetyIncident;
  /** opened: a new incident, outreach starts; joined: added to the open (or just acknowledged) one; recorded: this trigger was already in it (a retry). */
  outcome: 'opened' | 'joined' | 'recorded';
  /** Outbox rows written with it, to relay after the commit. */
  jobs: OutboxJob[];
}

const RECENT_MS = 7 * 24 * 3600_000;

/**
 * Call inside a transaction (`em.transactional`). Locks the user row, so two triggers of one user are
 * serialised (the partial unique index on open incidents is the backstop). Returns null if the user is gone.
 */
export async function openOrJoinIncident(
  tx: EntityManager,
  input: TriggerInput,
  opts: { dedupeMinutes: number; now?: Date },
): Promise<IncidentResult | null> {
  const now = opts.now ?? new Date();
  const key = `${input.trigger}:${input.sourceId}`;
  const recentIncidents = () =>
    tx.find(
      SafetyIncident,
      { user: input.userId, openedAt: { $gte: new Date(now.getTime() - RECENT_MS) } },
      { orderBy: { openedAt: 'desc' }, limit: 50, refresh: true },
    );
  // A retry (or the job behind a manual alert, recorded by the API) needs no lock.
  const seen = (await recentIncidents()).find((i) => i.triggers.some((t) => t.key === key));
  if (seen) return { incident: seen, outcome: 'recorded', jobs: [] };
  // Serialises the user's triggers; contact_logs of a running step still insert (they take KEY SHARE on it).
  const user = await lockUser(tx, input.userId);
  if (!user) return null;
  const recent = await recentIncidents();
  const already = recent.find((i) => i.triggers.some((t) => t.key === key));
  if (already) return { incident: already, outcome: 'recorded', jobs: [] };

  const trigger: IncidentTrigger = {
    key,
    trigger: input.trigger,
    source_id: input.sourceId,
    crisis_level: input.crisisLevel,
    detected_at: input.detectedAt.toISOString(),
  };
  const dedupeSince = now.getTime() - opts.dedupeMinutes * 60_000;
  const joinable = recent.find(
    (i) => i.status === 'open' || (i.status === 'acknowledged' && (i.acknowledgedAt?.getTime() ?? 0) >= dedupeSince),
  );
  if (joinable) {
    // Lock an open incident before changing it: a step being claimed reads its plan under the same lock.
    const incident =
      joinable.status === 'open'
        ? await tx.findOneOrFail(SafetyIncident, joinable.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
        : joinable;
    incident.triggers = [...incident.triggers, trigger];
    incident.lastTriggerAt = now;
    if (input.crisisLevel === 'critical') incident.crisisLevel = 'critical';
    const becomesEmergency =
      incident.status === 'open' && !incident.emergency && isEmergency(input.trigger, input.crisisLevel);
    return { incident, outcome: 'joined', jobs: becomesEmergency ? await replanAsEmergency(tx, incident, now) : [] };
  }

  const emergency = isEmergency(input.trigger, input.crisisLevel);
  const plan = planOutreach(await loadPolicyContacts(tx, user.id), { emergency, now });
  const incident = tx.create(SafetyIncident, {
    user,
    crisisLevel: input.crisisLevel,
    emergency,
    triggers: [trigger],
    plan,
    reason: input.reason ?? null,
    lastTriggerAt: now,
  });
  // Step 0 commits with the incident: outreach cannot be lost between the two.
  const first = enqueueInTransaction(
    tx,
    safetyEscalate,
    { incident_id: incident.id, step: 0 },
    {
      jobKey: `${incident.id}:0`,
      ...(stepDelayMs(plan, 0, 0, now) > 0 ? { delay: stepDelayMs(plan, 0, 0, now) } : {}),
    },
  );
  return { incident, outcome: 'opened', jobs: [first] };
}

/**
 * A critical trigger joined an incident that was not an emergency: the steps already started stay, the
 * rest is planned again as an emergency (quiet hours ignored, emergency contacts first, no (contact,
 * method) attempted twice), and the next step runs now instead of after the delay or window.
 */
async function replanAsEmergency(tx: EntityManager, incident: SafetyIncident, now: Date): Promise<OutboxJob[]> {
  const started = await tx.count(ContactLog, { id: attemptLogId(incident.id, incident.currentStep) });
  const kept = incident.plan.slice(0, incident.currentStep + started);
  const tried = new Set(kept.map((s) => `${s.contact_id}:${s.method}`));
  const rest = planOutreach(await loadPolicyContacts(tx, incident.user.id), { emergency: true, now }).filter(
    (s) => !tried.has(`${s.contact_id}:${s.method}`),
  );
  incident.plan = [...kept, ...rest];
  incident.emergency = true;
  const step = kept.length;
  // Nothing new to try: the step already scheduled (escalation or exhaustion) keeps its time, so the
  // people already contacted still get the escalation delay to acknowledge.
  if (rest.length === 0) return [];
  return [
    enqueueInTransaction(
      tx,
      safetyEscalate,
      { incident_id: incident.id, step },
      { jobKey: `${incident.id}:${step}:emergency` },
    ),
  ];
}

/** The user's active contacts with what each can be reached by (phone, email, a live Hearth account). */
export async function loadPolicyContacts(em: EntityManager, userId: string): Promise<PolicyContact[]> {
  const contacts = await em.find(SafetyContact, { user: userId, isActive: true }, { populate: ['contactUser'] });
  return contacts.map((c) => {
    const internal = c.contactUser?.isActive && !c.contactUser.deletedAt ? c.contactUser : null;
    return {
      id: c.id,
      priorityOrder: c.priorityOrder,
      isActive: c.isActive,
      isEmergencyContact: c.isEmergencyContact,
      allowed: c.allowedCommunicationMethods,
      preferred: c.preferredCommunicationMethod ?? null,
      window: c.preferredContactTime ?? null,
      timezone: c.timezone ?? null,
      reachable: {
        phone: Boolean(c.externalPhoneNumber ?? internal?.phoneNumber),
        email: Boolean(c.externalEmail ?? internal?.email),
        internal: Boolean(internal),
      },
    };
  });
}
