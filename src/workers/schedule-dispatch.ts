// The check-up a schedule slot starts, one function per channel. Each writes inside the caller's
// transaction, under ids derived from the slot, so a retried run never starts a second call, message or
// conversation. The caller records `metadata` on the execution (response tracking finds it there).
import { UnrecoverableError } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import { checkinOpening } from '../domain/checkin.ts';
import { Conversation } from '../entities/conversation.entity.ts';
import { ConversationSummary } from '../entities/conversation-summary.entity.ts';
import { Message } from '../entities/message.entity.ts';
import type { OutboxJob } from '../entities/outbox-job.entity.ts';
import type { Schedule } from '../entities/schedule.entity.ts';
import type { User } from '../entities/user.entity.ts';
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { Voice } from '../entities/voice.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { notificationSend } from '../queues/notification-send.ts';
import { enqueueInTransaction } from '../queues/producer.ts';
import { vapiCall } from '../queues/vapi-call.ts';

export interface Dispatch {
  metadata: Record<string, string>;
  /** The durable follow-up job, to relay after the commit; absent when there is none (or it exists already). */
  outbox?: OutboxJob;
}

export interface VoiceCallRequest {
  user: User;
  assistantId: string | null;
  phoneNumber: string | null;
  /** What the call is for (the slot); the voice_calls id derives from it. */
  callKey: string;
  executionId: string | null;
}

/** A voice_calls row (queued) and its vapi-call job (jobKey = the row id). No assistant or phone: permanent failure. */
export async function startVoiceCall(tx: EntityManager, req: VoiceCallRequest): Promise<Dispatch> {
  const id = deterministicUuid(`voice-call:${req.callKey}`);
  const metadata = { voice_call_id: id };
  if (await tx.count(VoiceCall, { id })) return { metadata };
  if (!req.phoneNumber) throw new UnrecoverableError('no phone number for a voice check-up');
  const voice = req.assistantId ? await tx.findOne(Voice, { assistantId: req.assistantId }) : null;
  if (!voice) throw new UnrecoverableError('the schedule names no existing assistant');
  tx.create(VoiceCall, {
    id,
    user: req.user,
    voice,
    channel: 'outbound_phone',
    status: 'queued',
    phoneNumber: req.phoneNumber,
  });
  const outbox = enqueueInTransaction(
    tx,
    vapiCall,
    { voice_call_id: id, purpose: 'scheduled_checkin', schedule_execution_id: req.executionId },
    { jobKey: id },
  );
  return { metadata, outbox };
}

/** An sms or email reminder through the notification providers (jobKey = the execution id). */
export function sendReminder(tx: EntityManager, user: User, channel: 'sms' | 'email', executionId: string): Dispatch {
  const outbox = enqueueInTransaction(
    tx,
    notificationSend,
    { user_id: user.id, channel, template: 'checkin_reminder', ref_id: executionId },
    { jobKey: executionId },
  );
  return { metadata: { notification_job_id: outbox.id, channel }, outbox };
}

/** The check-in conversation of an execution (one per execution, whichever path starts it). */
export const checkinConversationId = (executionId: string) => deterministicUuid(`checkin-conversation:${executionId}`);

/** A check-in conversation whose first assistant message uses the schedule's context and the latest summary. */
export async function startCheckin(tx: EntityManager, schedule: Schedule, executionId: string): Promise<Dispatch> {
  const id = checkinConversationId(executionId);
  const latest = await tx.findOne(ConversationSummary, { user: schedule.user }, { orderBy: { createdAt: 'desc' } });
  const now = new Date();
  const conversation = tx.create(Conversation, {
    id,
    user: schedule.user,
    title: schedule.name,
    sessionType: 'check_in',
    messageCount: 1,
    lastMessageAt: now,
  });
  tx.create(Message, {
    conversation,
    user: schedule.user,
    role: 'assistant',
    content: checkinOpening({
      scheduleName: schedule.name,
      contextSummary: schedule.contextSummary ?? null,
      latestSummary: latest?.summary ?? null,
    }),
  });
  return { metadata: { conversation_id: id } };
}
