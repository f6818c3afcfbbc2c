// What a user sees of a call: status, times, cost, the summary. No phone number, no internal errors.
import { z } from '@hono/zod-openapi';
import type { CallSummary } from '../../entities/call-summary.entity.ts';
import type { VoiceCall } from '../../entities/voice-call.entity.ts';
import { durationSeconds } from '../../domain/call-lifecycle.ts';
import { CALL_CHANNELS } from '../../domain/enums.ts';
/**
 * A row still "in flight" after this long lost its webhooks (e.g. a misconfigured server URL): it no longer
 * blocks a new call, so one lost end-of-call report cannot lock a user out of calling.
 */
export const IN_FLIGHT_WINDOW_MS = 2 * 3600_000;

export const CallOut = z
  .object({
    id: z.uuid(),
    assistant_id: z.string(),
    channel: z
      .enum(CALL_CHANNELS)
      .describe('outbound_phone: Hearth called; inbound_phone: you called; web: in the app'),
    status: z.string(),
    ended_reason: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    cost_total: z.number().nullable().describe('USD'),
    summary: z
      .object({
        summary: z.string().nullable(),
        sentiment: z.string().nullable(),
        key_topics: z.array(z.string()),
        action_items: z.array(z.string()),
        emotional_state: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('Call');

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function callOut(call: VoiceCall, summary: CallSummary | undefined): z.infer<typeof CallOut> {
  return {
    id: call.id,
    assistant_id: call.voice.assistantId,
    channel: call.channel,
    status: call.status,
    ended_reason: call.endedReason ?? null,
    created_at: call.createdAt.toISOString(),
    started_at: iso(call.startedAt),
    ended_at: iso(call.endedAt),
    duration_seconds: summary?.durationSeconds ?? durationSeconds(call.startedAt, call.endedAt),
    cost_total: call.costTotal ?? null,
    summary: summary
      ? {
          summary: typeof summary.summaryJson.summary === 'string' ? summary.summaryJson.summary : null,
          sentiment: summary.sentiment ?? null,
          key_topics: summary.keyTopics,
          action_items: summary.actionItems,
          emotional_state: summary.emotionalState ?? null,
        }
      : null,
  };
}
