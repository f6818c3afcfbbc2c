import { describe, expect, it } from 'vitest';
import {
  isEmergency,
  methodsFor,
  nextStep,
  planOutreach,
  stepDelayMs,
  windowOpensAt,
  type PolicyContact,
} from '../../src/domain/outreach-policy.ts';

const contact = (id: string, o: Partial<PolicyContact> = {}): PolicyContact => ({
  id,
  priorityOrder: 1,
  isActive: true,
  isEmergencyContact: false,
  allowed: ['sms'],
  preferred: null,
  window: null,
  timezone: null,
  reachable: { phone: true, email: true, internal: false },
  ...o,
});
// 2026-06-01 23:30 in Berlin (21:30 UTC): outside a 09:00–21:00 Berlin window.
const lateBerlin = new Date('2026-06-01T21:30:00Z');
const nineToNine = { start: '09:00', end: '21:00' };
const ids = (plan: { contact_id: string; method: string }[]) => plan.map((s) => `${s.contact_id}:${s.method}`);

describe('outreach policy', () => {
  it('defines an emergency: a manual alert always, otherwise a critical level', () => {
    expect(isEmergency('manual_alert', 'high')).toBe(true);
    expect(isEmergency('chat_message', 'critical')).toBe(true);
    expect(isEmergency('chat_message', 'high')).toBe(false);
  });

  it('orders contacts by priority_order and skips inactive ones', () => {
    const plan = planOutreach(
      [
        contact('c', { priorityOrder: 3 }),
        contact('a', { priorityOrder: 1 }),
        contact('x', { priorityOrder: 0, isActive: false }),
        contact('b', { priorityOrder: 2 }),
      ],
      { emergency: false, now: lateBerlin },
    );
    expect(ids(plan)).toEqual(['a:sms', 'b:sms', 'c:sms']);
  });

  it('puts emergency contacts first in an emergency only', () => {
    const contacts = [contact('a', { priorityOrder: 1 }), contact('e', { priorityOrder: 2, isEmergencyContact: true })];
    expect(ids(planOutreach(contacts, { emergency: true, now: lateBerlin }))).toEqual(['e:sms', 'a:sms']);
    expect(ids(planOutreach(contacts, { emergency: false, now: lateBerlin }))).toEqual(['a:sms', 'e:sms']);
  });

  it('tries the preferred method first, then the other allowed ones, never one not allowed or not reachable', () => {
    expect(
      methodsFor({
        allowed: ['sms', 'email', 'voice'],
        preferred: 'email',
        reachable: { phone: true, email: true, internal: false },
      }),
    ).toEqual(['email', 'sms', 'voice']);
    expect(
      methodsFor({ allowed: ['sms'], preferred: 'voice', reachable: { phone: true, email: true, internal: true } }),
    ).toEqual(['sms']);
    expect(
      methodsFor({
        allowed: ['in_app', 'email'],
        preferred: 'in_app',
        reachable: { phone: false, email: true, internal: false },
      }),
    ).toEqual(['email']);
    expect(planOutreach([contact('n', { allowed: ['in_app'] })], { emergency: true, now: lateBerlin })).toEqual([]);
  });

  it('makes a non-emergency contact outside its window wait for it, in its own timezone', () => {
    const sleeping = contact('s', { priorityOrder: 1, window: nineToNine, timezone: 'Europe/Berlin' });
    const awake = contact('w', { priorityOrder: 2, window: nineToNine, timezone: 'America/New_York' }); // 17:30 there
    const plan = planOutreach([sleeping, awake], { emergency: false, now: lateBerlin });
    expect(ids(plan)).toEqual(['w:sms', 's:sms']);
    expect(plan[0]!.not_before).toBeNull();
    expect(plan[1]!.not_before).toBe('2026-06-02T07:00:00.000Z'); // 09:00 CEST
  });

  it('ignores quiet hours in an emergency, and for emergency contacts at any level', () => {
    const sleeping = contact('s', { window: nineToNine, timezone: 'Europe/Berlin' });
    expect(planOutreach([sleeping], { emergency: true, now: lateBerlin })[0]!.not_before).toBeNull();
    const flagged = { ...sleeping, isEmergencyContact: true };
    expect(planOutreach([flagged], { emergency: false, now: lateBerlin })[0]!.not_before).toBeNull();
  });

  it('handles windows across midnight and DST', () => {
    const night = { start: '20:00', end: '08:00' };
    expect(windowOpensAt(night, 'Europe/Berlin', lateBerlin)).toBeNull();
    expect(windowOpensAt(night, 'Europe/Berlin', new Date('2026-06-01T10:00:00Z'))).toEqual(
      new Date('2026-06-01T18:00:00Z'),
    );
    // The night before the spring change (29 March 2026), 09:00 is CEST (+2).
    expect(windowOpensAt(nineToNine, 'Europe/Berlin', new Date('2026-03-28T22:00:00Z'))).toEqual(
      new Date('2026-03-29T07:00:00Z'),
    );
    expect(windowOpensAt(null, 'Europe/Berlin', lateBerlin)).toBeNull();
  });

  it('escalates to the next contact after a delivery and to the next method after a failure', () => {
    const plan = planOutreach([contact('a', { allowed: ['sms', 'email'] }), contact('b', { priorityOrder: 2 })], {
      emergency: false,
      now: lateBerlin,
    });
    expect(ids(plan)).toEqual(['a:sms', 'a:email', 'b:sms']);
    expect(nextStep(plan, 0, true)).toBe(2);
    expect(nextStep(plan, 0, false)).toBe(1);
    expect(nextStep(plan, 2, true)).toBe(3); // past the end: exhausted
  });

  it('never runs a step before its window, and waits the escalation delay after a delivery', () => {
    const plan = [{ contact_id: 'a', method: 'sms' as const, not_before: '2026-06-02T07:00:00.000Z' }];
    expect(stepDelayMs(plan, 0, 0, lateBerlin)).toBe(9.5 * 3600_000);
    expect(stepDelayMs(plan, 0, 600_000, new Date('2026-06-02T08:00:00Z'))).toBe(600_000);
    expect(stepDelayMs(plan, 1, 0, lateBerlin)).toBe(0);
  });
});

describe('safety contact rules', async () => {
  const { contactProblem, normalisePhone } = await import('../../src/domain/safety-contact-rules.ts');
  const base = {
    contact_user_id: null,
    external_first_name: 'Sam',
    external_last_name: null,
    external_phone_number: '+14155550123',
    external_email: null,
    allowed_communication_methods: ['sms' as const],
    preferred_communication_method: null,
    preferred_contact_time: null,
    timezone: null,
  };
  it.each([
    [{}, null],
    [{ contact_user_id: '7d0e1c1e-0000-4000-8000-000000000000' }, 'contact_user_id'],
    [{ external_first_name: ' ' }, 'external_first_name'],
    [{ external_phone_number: null }, 'external_phone_number'],
    [{ external_phone_number: '4155550123' }, 'external_phone_number'],
    [{ external_phone_number: '+1415555' }, 'external_phone_number'],
    [{ external_email: 'not-an-email' }, 'external_email'],
    [{ allowed_communication_methods: [] }, 'allowed_communication_methods'],
    [{ allowed_communication_methods: ['sms', 'sms'] }, 'allowed_communication_methods'],
    [{ allowed_communication_methods: ['email'] }, 'allowed_communication_methods'],
    [{ allowed_communication_methods: ['in_app'] }, 'allowed_communication_methods'],
    [{ preferred_communication_method: 'voice' }, 'preferred_communication_method'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ preferred_contact_time: { start: '09:00', end: '21:00' } }, 'timezone'],
    [{ preferred_contact_time: { start: '09:00', end: '09:00' }, timezone: 'UTC' }, 'preferred_contact_time'],
    [{ preferred_contact_time: { start: '21:00', end: '07:00' }, timezone: 'Europe/Berlin' }, null],
  ])('%o → %s', (change, field) => {
    expect(contactProblem({ ...base, ...change } as never)?.field ?? null).toBe(field);
  });
  it('an internal contact may allow any method (its reachability is checked at outreach time)', () => {
    const internal = {
      ...base,
      external_first_name: null,
      external_phone_number: null,
      contact_user_id: '7d0e1c1e-0000-4000-8000-000000000000',
      allowed_communication_methods: ['in_app', 'sms'] as const,
    };
    expect(contactProblem(internal as never)).toBeNull();
    expect(normalisePhone('+4915112345678')).toBe('+4915112345678');
  });
});
