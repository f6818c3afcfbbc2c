// Carries one outreach attempt on one channel. SMS and email go through a provider (an HTTP/SMTP call
// that cannot be taken back); voice and in_app are database writes keyed by the attempt, so re-running
// them after a crash is safe (`redoable`).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { ContactMethod } from '../domain/enums.ts';
import { ACK_LINK_PLACEHOLDER, outreachMessage, personName } from '../domain/outreach-templates.ts';
import { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { SafetyContact } from '../entities/safety-contact.entity.ts';
import type { SafetyIncident } from '../entities/safety-incident.entity.ts';
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { Voice } from '../entities/voice.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { sendersFor } from '../lib/notify/index.ts';
import { enqueueInTransaction, outboxJobId } from '../queues/producer.ts';
import { vapiCall } from '../queues/vapi-call.ts';
import { recordSystemEvent } from '../db/system-events.ts';
import { ackLink } from './ack-link.ts';

export type DeliveryOutcome =
  | { ok: true; providerId: string; providerStatus: string; messageContent: string; jobs?: OutboxJob[] }
  | { ok: false; error: string; messageContent: string | null; unknown?: boolean };

/** Voice and in-app deliveries are idempotent writes: after a crash mid-attempt they are simply redone. */
export const redoable = (method: ContactMethod) => method === 'voice' || method === 'in_app';

export interface Attempt {
  em: EntityManager;
  config: Config;
  incident: SafetyIncident;
  contact: SafetyContact;
  method: ContactMethod;
  /** The contact_logs id: the attempt's idempotency key. */
  logId: string;
}

export async function deliver(a: Attempt): Promise<DeliveryOutcome> {
  const { contact, config, incident } = a;
  const internal = contact.contactUser?.isActive && !contact.contactUser.deletedAt ? contact.contactUser : null;
  const names = {
    userName: personName(incident.user),
    contactName: contact.externalFirstName ?? (internal ? personName(internal) : null),
  };
  const message = outreachMessage({
    ...names,
    ackLink: ackLink(config.PUBLIC_BASE_URL, config.SAFETY_LINK_SECRET, incident.id, contact.id),
  });
  // What contact_logs keeps: the text as sent, without the link's token.
  const stored = outreachMessage({ ...names, ackLink: ACK_LINK_PLACEHOLDER }).text;
  const fail = (error: string, sent: string | null = null): DeliveryOutcome => ({
    ok: false,
    error,
    messageContent: sent,
  });

  if (a.method === 'sms' || a.method === 'email') {
    const to =
      a.method === 'sms'
        ? (contact.externalPhoneNumber ?? internal?.phoneNumber)
        : (contact.externalEmail ?? internal?.email);
    const sender = sendersFor(config)[a.method];
    if (!to) return fail(`no ${a.method === 'sms' ? 'phone number' : 'email address'} on record`);
    if (!sender) return fail(`${a.method} provider not configured`);
    try {
      const statusCallbackUrl =
        a.method === 'sms' ? new URL(`/webhooks/twilio/status?log=${a.logId}`, config.PUBLIC_BASE_URL).href : undefined;
      const r = await sender.send({
        to,
        ...message,
        key: a.logId,
        ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
      });
      return { ok: true, providerId: r.providerId, providerStatus: r.status, messageContent: stored };
    } catch (err) {
      return fail((err as Error).message.slice(0, 300), stored);
    }
  }

  if (a.method === 'in_app') {
    if (!internal) return fail('not a Hearth user');
    const eventId = await recordSystemEvent(a.em, `safety-in-app:${a.logId}`, {
      userId: internal.id,
      eventType: 'safety.contact_alert',
      eventCategory: 'safety',
      severity: 'critical',
      eventData: { incident_id: incident.id, user_id: incident.user.id, safety_contact_id: contact.id },
    });
    return { ok: true, providerId: eventId, providerStatus: 'recorded', messageContent: stored };
  }

  // voice: a voice_calls row for the contact's number (user_id = the user in crisis) and a durable vapi-call job.
  const phone = contact.externalPhoneNumber ?? internal?.phoneNumber;
  if (!phone) return fail('no phone number on record');
  const voice = config.VAPI_OUTREACH_ASSISTANT_ID
    ? await a.em.findOne(Voice, { assistantId: config.VAPI_OUTREACH_ASSISTANT_ID })
    : null;
  if (!voice) return fail('no outreach assistant configured');
  const callId = deterministicUuid(`outreach-call:${a.logId}`);
  const jobs = await a.em.transactional(async (tx) => {
    if (!(await tx.findOne(VoiceCall, callId)))
      tx.create(VoiceCall, { id: callId, user: incident.user, voice, channel: 'outbound_phone', phoneNumber: phone });
    if (await tx.findOne(OutboxJob, outboxJobId(vapiCall, callId))) return [];
    return [
      enqueueInTransaction(
        tx,
        vapiCall,
        { voice_call_id: callId, purpose: 'safety_outreach', schedule_execution_id: null },
        { jobKey: callId },
      ),
    ];
  });
  return {
    ok: true,
    providerId: callId,
    providerStatus: 'queued',
    messageContent: 'voice call by the outreach assistant',
    jobs,
  };
}
