// How Vapi's call states map onto voice_calls, and what a call's end means. Pure.
import type { CallStatus } from './enums.ts';

/** Order of progress; a late or duplicate webhook never moves a call backwards. */
const PROGRESS: readonly CallStatus[] = ['scheduled', 'queued', 'ringing', 'in-progress', 'forwarding', 'ended'];

/** Statuses of a call that has not finished. */
export const IN_FLIGHT: readonly CallStatus[] = ['scheduled', 'queued', 'ringing', 'in-progress', 'forwarding'];

/**
 * Maps a Vapi `status` onto ours. Vapi adds values (`not-found`, `deletion-failed` in 2026): those map to
 * null (ignored) rather than being stored raw.
 */
export function toCallStatus(vapiStatus: unknown): CallStatus | null {
  return typeof vapiStatus === 'string' && (PROGRESS as readonly string[]).includes(vapiStatus)
    ? (vapiStatus as CallStatus)
    : null;
}

/**
 * The status after an update arrives. Terminal states (`ended`, `failed`) stay; otherwise only forward moves.
 * @example nextCallStatus('ended', 'ringing') // 'ended' (an out-of-order status-update)
 */
export function nextCallStatus(current: CallStatus, incoming: CallStatus | null): CallStatus {
  if (!incoming || current === 'failed' || current === 'ended') return current;
  return PROGRESS.indexOf(incoming) > PROGRESS.indexOf(current) ? incoming : current;
}

/** endedReasons meaning nobody (or a machine) picked up; Vapi calls the first two "normal behavior". */
const NOT_REACHED = new Set([
  'customer-did-not-answer',
  'customer-busy',
  'voicemail',
  'twilio-reported-customer-misdialed',
]);

export type CallOutcome = 'answered' | 'not_reached' | 'failed';

/**
 * What happened to the call, from its endedReason (external-apis.md A6) and whether it ever started.
 * @example callOutcome('customer-ended-call', true) // 'answered'
 */
export function callOutcome(endedReason: string | null | undefined, started: boolean): CallOutcome {
  if (endedReason && NOT_REACHED.has(endedReason)) return 'not_reached';
  if (started) return 'answered';
  // Start, billing and pipeline failures (call.start.error-*, pipeline-error-*, *-worker-died, …).
  return endedReason && /error|fault|died|shutdown|not-found|not-valid/.test(endedReason) ? 'failed' : 'not_reached';
}

/** Vapi sends no duration: endedAt − startedAt, whole seconds; null when either is missing or out of order. */
export function durationSeconds(startedAt: Date | null | undefined, endedAt: Date | null | undefined): number | null {
  if (!startedAt || !endedAt) return null;
  const ms = endedAt.getTime() - startedAt.getTime();
  return ms >= 0 ? Math.round(ms / 1000) : null;
}

/** ISO strings (startedAt, endedAt) or epoch numbers (timestamp; milliseconds, or seconds if small). */
export function toDate(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value > 1e12 ? value : value * 1000);
  if (typeof value !== 'string' || !value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
