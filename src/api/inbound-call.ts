// Vapi's assistant-request (external-apis.md A4): an inbound call to a Hearth number without a fixed
// assistant. It must be answered within Vapi's hard 7.5 s, so this runs in the request, bounded by
// ASSISTANT_REQUEST_BUDGET_MS; past it (a slow database) the caller gets the unknown-caller answer.
// - The caller's number is exactly one active user's Auth-verified phone: that user's assistant
//   (preferred_voice, else their latest call's) with their context, and a voice_calls row (channel
//   inbound_phone) keyed by Vapi's call id, so the reports that follow land on it.
// - Anyone else: VAPI_INBOUND_DEFAULT_ASSISTANT_ID (a row with no user), or the spoken error message.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import { toCallStatus } from '../domain/call-lifecycle.ts';
import { User } from '../entities/user.entity.ts';
import { Voice } from '../entities/voice.entity.ts';
import { normalizePhone } from '../domain/user-sync.ts';
import { TimeoutError, withTimeout } from '../lib/timeout.ts';
import type { Logger } from '../lib/logger.ts';
import { callVariables, usersAssistant } from './call-context.ts';

/** Our share of Vapi's 7.5 s: the rest is network and Vapi's own work. */
export const ASSISTANT_REQUEST_BUDGET_MS = 5_000;

export type AssistantAnswer =
  | {
      assistantId: string;
      assistantOverrides: { variableValues?: Record<string, string>; metadata: Record<string, string> };
    }
  | { error: string };

interface InboundMessage {
  call?: { id?: unknown; status?: unknown; customer?: { number?: unknown } };
  customer?: { number?: unknown };
}

type InboundConfig = Pick<Config, 'VAPI_INBOUND_DEFAULT_ASSISTANT_ID' | 'VAPI_INBOUND_UNKNOWN_CALLER_MESSAGE'>;

export async function answerAssistantRequest(
  em: EntityManager,
  config: InboundConfig,
  message: InboundMessage,
  log: Logger,
): Promise<AssistantAnswer> {
  const unknownCaller = { error: config.VAPI_INBOUND_UNKNOWN_CALLER_MESSAGE };
  try {
    return await withTimeout(decide(em, config, message), ASSISTANT_REQUEST_BUDGET_MS, 'assistant-request');
  } catch (err) {
    log.warn({ reason: err instanceof TimeoutError ? 'timeout' : (err as Error).name }, 'assistant-request fallback');
    return unknownCaller;
  }
}

async function decide(em: EntityManager, config: InboundConfig, m: InboundMessage): Promise<AssistantAnswer> {
  const vapiCallId = typeof m.call?.id === 'string' ? m.call.id.slice(0, 200) : null;
  const caller = normalizePhone(m.call?.customer?.number ?? m.customer?.number);
  const users = caller
    ? await em.find(
        User,
        { phoneNumber: caller, phoneConfirmedAt: { $ne: null }, deletedAt: null, isActive: true },
        { limit: 2 },
      )
    : [];
  // Two accounts claiming one verified number: neither gets the other's context.
  const user = users.length === 1 ? users[0]! : null;
  const voice =
    (user && (await usersAssistant(em, user.id))) ??
    (config.VAPI_INBOUND_DEFAULT_ASSISTANT_ID
      ? await em.findOne(Voice, { assistantId: config.VAPI_INBOUND_DEFAULT_ASSISTANT_ID, isActive: true })
      : null);
  if (!voice) return { error: config.VAPI_INBOUND_UNKNOWN_CALLER_MESSAGE };
  const metadata: Record<string, string> = {};
  if (vapiCallId && caller) {
    // Keyed by Vapi's call id: a redelivered assistant-request records nothing twice.
    const rows = await em.execute<{ id: string }[]>(
      `insert into voice_calls (vapi_call_id, user_id, assistant_id, channel, status, phone_number, metadata, created_at)
       values (?, ?, ?, 'inbound_phone', ?, ?, '{"purpose":"inbound"}', now())
       on conflict (vapi_call_id) do update set vapi_call_id = excluded.vapi_call_id returning id`,
      [vapiCallId, user?.id ?? null, voice.assistantId, toCallStatus(m.call?.status) ?? 'ringing', caller],
    );
    if (rows[0]) metadata.voice_call_id = rows[0].id;
  }
  return {
    assistantId: voice.assistantId,
    assistantOverrides: { ...(user ? { variableValues: await callVariables(em, user) } : {}), metadata },
  };
}
