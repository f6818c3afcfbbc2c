// Stores Vapi server messages and hands them to the vapi-webhook job. The stored event is the source of
// truth: the job carries only its id, and the event row and its outbox row are written by one INSERT
// statement (atomic; src/api/vapi-event-batcher.ts), so neither a Redis outage nor a crash after the
// answer loses a delivery.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookEvent } from '../entities/webhook-event.entity.ts';
import { storableVapiEvent } from '../domain/vapi-payload.ts';
import { enqueueInTransaction } from '../queues/producer.ts';
import type { VapiEventBatcher } from './vapi-event-batcher.ts';
import { vapiWebhook } from '../queues/vapi-webhook.ts';
import { relayNow } from '../queues/outbox-relay.ts';
import type { Producer } from '../queues/producer.ts';

export interface ServerMessageEnvelope {
  message: { type: string; call?: { id?: unknown } } & Record<string, unknown>;
}

/** The envelope `{ message: { type, ... } }`, or null when the body is not one. */
export function parseEnvelope(rawBody: string): ServerMessageEnvelope | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const message = (body as { message?: unknown } | null)?.message as ServerMessageEnvelope['message'] | undefined;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string' || !message.type) return null;
  return body as ServerMessageEnvelope;
}

/**
 * Records one delivery (only the fields processing reads: src/domain/vapi-payload.ts) with its job. Identity = sha256 of the
 * raw body: a redelivery of the same body is dropped (`duplicate`), two different messages are both kept.
 */
export async function recordVapiEvent(batcher: VapiEventBatcher, rawBody: string, envelope: ServerMessageEnvelope) {
  const id = randomUUID();
  const inserted = await batcher.submit({
    id,
    vapiCallId: typeof envelope.message.call?.id === 'string' ? envelope.message.call.id : null,
    eventType: envelope.message.type.slice(0, 100),
    eventKey: createHash('sha256').update(rawBody).digest('hex'),
    payload: storableVapiEvent(envelope),
  });
  return inserted ? { duplicate: false as const, eventId: id } : { duplicate: true as const };
}

export type ReplayOutcome = 'replayed' | 'not_found' | 'already_processed';

/**
 * Runs a stored event again (after a processing failure, or a skipped event once its cause is fixed): back
 * to pending, with a new durable job. A processed event is not replayed: its effects are in place.
 */
export async function replayVapiEvent(em: EntityManager, producer: Producer, eventId: string): Promise<ReplayOutcome> {
  const fork = em.fork();
  const outcome = await fork.transactional(async (tx) => {
    const event = await tx.findOne(WebhookEvent, eventId);
    if (!event) return { outcome: 'not_found' as const };
    if (event.processingStatus === 'processed') return { outcome: 'already_processed' as const };
    event.processingStatus = 'pending';
    event.errorMessage = null;
    const row = enqueueInTransaction(
      tx,
      vapiWebhook,
      { webhook_event_id: event.id },
      { jobKey: `${event.id}:replay:${randomUUID()}` },
    );
    return { outcome: 'replayed' as const, row };
  });
  if (outcome.row) void relayNow(fork, producer, outcome.row);
  return outcome.outcome;
}
