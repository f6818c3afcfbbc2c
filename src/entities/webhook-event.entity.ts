// Every Vapi webhook delivery, stored before it is processed. No FK to voice_calls: a delivery may arrive
// before we know the call, and the log must keep it anyway.
import { defineEntity, p } from '@mikro-orm/core';
import { WEBHOOK_PROCESSING_STATUSES } from '../domain/enums.ts';
import { createdAt, generatedId } from './base.entity.ts';

export const WebhookEventSchema = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  indexes: [
    { name: 'webhook_events_vapi_call_idx', properties: ['vapiCallId'] },
    { name: 'webhook_events_status_created_idx', properties: ['processingStatus', 'createdAt'] },
  ],
  checks: [
    {
      name: 'webhook_events_processed_at_check',
      expression: "processing_status <> 'processed' or processed_at is not null",
    },
    {
      name: 'webhook_events_failure_reason_check',
      expression: "processing_status <> 'failed' or error_message is not null",
    },
  ],
  properties: {
    id: generatedId(),
    vapiCallId: p.text().nullable(),
    /** Vapi's message.type (an open set: Vapi adds types, so no CHECK). */
    eventType: p.text(),
    /**
     * Identity of the delivery: sha256 hex of the raw request body. A redelivery of the same body collides and
     * is dropped (insert ... on conflict do nothing); two status-updates of one call differ, so both are kept.
     */
    eventKey: p.text().unique('webhook_events_event_key_unique'),
    payload: p.json<Record<string, unknown>>(),
    processedAt: p.datetime().nullable(),
    processingStatus: p.enum(WEBHOOK_PROCESSING_STATUSES).default('pending'),
    errorMessage: p.text().nullable(),
    /** When the delivery was received (not in the source spec; a log needs it). */
    createdAt: createdAt(),
  },
});
export class WebhookEvent extends WebhookEventSchema.class {}
WebhookEventSchema.setClass(WebhookEvent);
