// Who is contacted, in which order, on which channel, and when: the outreach policy of the safety
// network (docs/safety.md). Pure: the processor loads contacts, this decides, the processor sends.
import { DateTime } from 'luxon';
import type { ContactMethod } from './enums.ts';

/** A daily local window, 'HH:mm'–'HH:mm'; end < start wraps past midnight (e.g. 20:00–08:00). */
export interface ContactTimeWindow {
  start: string;
  end: string;
}

export interface PolicyContact {
  id: string;
  priorityOrder: number;
  isActive: boolean;
  isEmergencyContact: boolean;
  allowed: readonly ContactMethod[];
  preferred: ContactMethod | null;
  window: ContactTimeWindow | null;
  /** IANA zone of the window; null means UTC (Hearth keeps no per-user zone). */
  timezone: string | null;
  /** What the contact can actually be reached by: a phone (sms, voice), an email, a Hearth account (in_app). */
  reachable: { phone: boolean; email: boolean; internal: boolean };
}

/** One attempt of the plan, stored as jsonb on the incident (ids only). */
export interface OutreachStep {
  contact_id: string;
  method: ContactMethod;
  /** ISO time before which this step must not run (the contact's window opens then); null = now. */
  not_before: string | null;
}

/**
 * An emergency ignores every contact's quiet hours and puts emergency contacts first. A manual alert
 * ("I need help") is always one, and so is a critical crisis level. At `high`, only contacts the user
 * marked as emergency contacts are reached outside their window.
 */
export const isEmergency = (trigger: string, level: string): boolean =>
  trigger === 'manual_alert' || level === 'critical';

const METHOD_NEEDS: Record<ContactMethod, keyof PolicyContact['reachable']> = {
  sms: 'phone',
  voice: 'phone',
  email: 'email',
  in_app: 'internal',
};

/** The contact's methods to try, in order: the preferred one if allowed, then the other allowed ones. Never one not allowed. */
export function methodsFor(contact: Pick<PolicyContact, 'allowed' | 'preferred' | 'reachable'>): ContactMethod[] {
  const ordered =
    contact.preferred && contact.allowed.includes(contact.preferred)
      ? [contact.preferred, ...contact.allowed.filter((m) => m !== contact.preferred)]
      : [...contact.allowed];
  return [...new Set(ordered)].filter((m) => contact.reachable[METHOD_NEEDS[m]]);
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** When the window next opens, or null if `now` is inside it (or there is no window). */
export function windowOpensAt(window: ContactTimeWindow | null, zone: string | null, now: Date): Date | null {
  if (!window) return null;
  const local = DateTime.fromJSDate(now, { zone: zone ?? 'UTC' });
  const t = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const inside = start === end || (start < end ? t >= start && t < end : t >= start || t < end);
  if (inside) return null;
  let opens = local.set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 });
  if (opens <= local) opens = opens.plus({ days: 1 });
  return opens.toJSDate();
}

/**
 * The escalation plan: active contacts with at least one usable method; those reachable now first
 * (emergency contacts ahead of the rest in an emergency, then by priority_order), then those waiting
 * for their window (soonest first). Each contact contributes one step per usable method, in order.
 */
export function planOutreach(
  contacts: readonly PolicyContact[],
  opts: { emergency: boolean; now: Date },
): OutreachStep[] {
  const candidates = contacts
    .filter((c) => c.isActive)
    .map((c) => {
      const ignoresWindow = opts.emergency || c.isEmergencyContact;
      return {
        c,
        methods: methodsFor(c),
        opensAt: ignoresWindow ? null : windowOpensAt(c.window, c.timezone, opts.now),
      };
    })
    .filter((x) => x.methods.length > 0);
  const rank = (x: (typeof candidates)[number]) => (opts.emergency && !x.c.isEmergencyContact ? 1 : 0);
  const now = candidates
    .filter((x) => !x.opensAt)
    .sort((a, b) => rank(a) - rank(b) || a.c.priorityOrder - b.c.priorityOrder);
  const later = candidates
    .filter((x) => x.opensAt)
    .sort((a, b) => a.opensAt!.getTime() - b.opensAt!.getTime() || a.c.priorityOrder - b.c.priorityOrder);
  return [...now, ...later].flatMap(({ c, methods, opensAt }) =>
    methods.map((method) => ({ contact_id: c.id, method, not_before: opensAt?.toISOString() ?? null })),
  );
}

/** What follows a step: the next method of the same contact after a failed send, the next contact after a delivered one. */
export function nextStep(plan: readonly OutreachStep[], step: number, delivered: boolean): number {
  if (!delivered) return step + 1;
  let next = step + 1;
  while (next < plan.length && plan[next]!.contact_id === plan[step]!.contact_id) next += 1;
  return next;
}

/** How long to wait before running `step`: the escalation delay after a delivery, never before its window. */
export function stepDelayMs(plan: readonly OutreachStep[], step: number, baseMs: number, now: Date): number {
  const notBefore = plan[step]?.not_before;
  const untilWindow = notBefore ? new Date(notBefore).getTime() - now.getTime() : 0;
  return Math.max(baseMs, untilWindow, 0);
}
