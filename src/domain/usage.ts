// Per-service usage counters kept in user_service_profiles.usage_stats. Pure.
import type { ActivityKind } from './engagement.ts';
import type { SERVICE_TYPES } from './enums.ts';

export type Service = (typeof SERVICE_TYPES)[number];

/** usage_stats by service: chat {messages, conversations}, voice {calls, minutes}, scheduling {checkins_answered}. */
export type UsageStats = Record<string, number>;

export const serviceOf = (kind: ActivityKind): Service =>
  kind === 'message' ? 'chat' : kind === 'call_completed' ? 'voice' : 'scheduling';

export function usageIncrement(kind: ActivityKind, minutes: number | null, firstInConversation: boolean): UsageStats {
  if (kind === 'message') return { messages: 1, ...(firstInConversation ? { conversations: 1 } : {}) };
  if (kind === 'call_completed') return { calls: 1, minutes: minutes ?? 0 };
  return { checkins_answered: 1 };
}

/** Adds counters, keeping any other keys the profile holds. */
export function addCounts(stats: Record<string, unknown>, increment: UsageStats): Record<string, unknown> {
  const out = { ...stats };
  for (const [key, n] of Object.entries(increment))
    out[key] = (typeof out[key] === 'number' ? (out[key] as number) : 0) + n;
  return out;
}
