// What a scheduled check-in says first, and how a response is measured. Pure.

export interface CheckinContext {
  scheduleName: string;
  /** The schedule's context_summary: what this check-in is about. */
  contextSummary: string | null;
  /** The newest summary of the user's conversations, if any. */
  latestSummary: string | null;
}

/** The first assistant message of an in-app check-in conversation. */
export function checkinOpening({ scheduleName, contextSummary, latestSummary }: CheckinContext): string {
  const parts = [`Hi, it's time for your check-in (${scheduleName}).`];
  if (contextSummary) parts.push(`Last time we set this up for: ${contextSummary}`);
  if (latestSummary) parts.push(`When we last talked: ${latestSummary}`);
  parts.push('How are you feeling right now?');
  return parts.join(' ');
}

/** Whole minutes from the slot to the answer (never negative: clocks may disagree by a little). */
export const minutesBetween = (from: Date, to: Date): number =>
  Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));
