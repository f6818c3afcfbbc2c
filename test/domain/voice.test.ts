import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { callableAfter, parseQuietHours } from '../../src/domain/quiet-hours.ts';
import { callOutcome, durationSeconds, nextCallStatus, toCallStatus, toDate } from '../../src/domain/call-lifecycle.ts';
import { summarizeCallAnalysis } from '../../src/domain/call-analysis.ts';
import { assessCrisis } from '../../src/domain/crisis.ts';
import { CALL_STATUSES } from '../../src/domain/enums.ts';

describe('quiet hours', () => {
  const night = { start: '22:00', end: '08:00', timezone: 'Europe/Berlin' };

  it('defers to the end of a window that crosses midnight, in the user timezone', () => {
    // 23:30 in Berlin (winter, UTC+1) → 08:00 Berlin next morning = 07:00Z.
    expect(callableAfter(new Date('2026-01-10T22:30:00Z'), night)?.toISOString()).toBe('2026-01-11T07:00:00.000Z');
    // 06:00 Berlin → 08:00 Berlin the same morning.
    expect(callableAfter(new Date('2026-01-10T05:00:00Z'), night)?.toISOString()).toBe('2026-01-10T07:00:00.000Z');
    expect(callableAfter(new Date('2026-01-10T12:00:00Z'), night)).toBeNull();
  });

  it('follows daylight saving time (Berlin summer is UTC+2)', () => {
    expect(callableAfter(new Date('2026-07-10T21:30:00Z'), night)?.toISOString()).toBe('2026-07-11T06:00:00.000Z');
  });

  it('a window inside one day; the end minute itself is callable', () => {
    const lunch = { start: '12:00', end: '13:00', timezone: 'UTC' };
    expect(callableAfter(new Date('2026-01-10T12:59:00Z'), lunch)?.toISOString()).toBe('2026-01-10T13:00:00.000Z');
    expect(callableAfter(new Date('2026-01-10T13:00:00Z'), lunch)).toBeNull();
  });

  it('an emergency ignores quiet hours; no preference means none', () => {
    expect(callableAfter(new Date('2026-01-10T22:30:00Z'), night, true)).toBeNull();
    expect(callableAfter(new Date('2026-01-10T22:30:00Z'), null)).toBeNull();
  });

  it('reads only well-formed preferences; an unknown timezone falls back to UTC', () => {
    expect(parseQuietHours({ quiet_hours: night })).toEqual(night);
    expect(parseQuietHours({ quiet_hours: { start: '22:00', end: '08:00', timezone: 'Mars/Base' } })?.timezone).toBe(
      'UTC',
    );
    expect(parseQuietHours({ quiet_hours: { start: '25:00', end: '08:00' } })).toBeNull();
    expect(parseQuietHours({ quiet_hours: { start: '08:00', end: '08:00' } })).toBeNull();
    expect(parseQuietHours({})).toBeNull();
    expect(parseQuietHours(null)).toBeNull();
  });

  it("quiet hours set through the API carry no zone: they are read in the user's zone", () => {
    const quiet = parseQuietHours({ quiet_hours: { start: '22:00', end: '07:00' } }, 'Asia/Tokyo');
    expect(quiet).toEqual({ start: '22:00', end: '07:00', timezone: 'Asia/Tokyo' });
    // 13:30 UTC is 22:30 in Tokyo: quiet until 07:00 Tokyo = 22:00 UTC.
    expect(callableAfter(new Date('2026-01-10T13:30:00Z'), quiet)?.toISOString()).toBe('2026-01-10T22:00:00.000Z');
    expect(parseQuietHours({ quiet_hours: { start: '22:00', end: '07:00' } }, 'Mars/Base')?.timezone).toBe('UTC');
  });

  it('a deferral always lands in the future and outside the window (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        (now, s, e) => {
          fc.pre(s !== e);
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const q = { start: hhmm(s), end: hhmm(e), timezone: 'America/New_York' };
          const until = callableAfter(now, q);
          if (until) {
            expect(until.getTime()).toBeGreaterThan(now.getTime());
            expect(callableAfter(until, q)).toBeNull();
          }
        },
      ),
    );
  });
});

describe('call lifecycle', () => {
  it('status only moves forward; terminal states stay', () => {
    expect(nextCallStatus('queued', 'ringing')).toBe('ringing');
    expect(nextCallStatus('in-progress', 'ringing')).toBe('in-progress');
    expect(nextCallStatus('ended', 'in-progress')).toBe('ended');
    expect(nextCallStatus('failed', 'ended')).toBe('failed');
    expect(nextCallStatus('queued', null)).toBe('queued');
    for (const s of CALL_STATUSES) expect(nextCallStatus(s, toCallStatus('not-found'))).toBe(s);
  });

  it('maps endedReasons to outcomes', () => {
    expect(callOutcome('customer-ended-call', true)).toBe('answered');
    expect(callOutcome('customer-did-not-answer', true)).toBe('not_reached');
    expect(callOutcome('customer-busy', false)).toBe('not_reached');
    expect(callOutcome('voicemail', true)).toBe('not_reached');
    expect(callOutcome('call.start.error-subscription-concurrency-limit-reached', false)).toBe('failed');
    expect(callOutcome('assistant-not-found', false)).toBe('failed');
    expect(callOutcome('manually-canceled', false)).toBe('not_reached');
    expect(callOutcome(null, false)).toBe('not_reached');
  });

  it('duration is endedAt − startedAt, null when unknown or reversed; timestamps parse', () => {
    expect(durationSeconds(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:01:35.400Z'))).toBe(95);
    expect(durationSeconds(null, new Date())).toBeNull();
    expect(durationSeconds(new Date('2026-01-01T10:00:01Z'), new Date('2026-01-01T10:00:00Z'))).toBeNull();
    expect(toDate(1767261600000)?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(toDate(1767261600)?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(toDate('nonsense')).toBeNull();
  });
});

describe('call analysis', () => {
  it('reads the structured data and hands the summary and emotional state to the crisis detector', () => {
    const a = summarizeCallAnalysis({
      summary: 'They said they want to die.',
      structuredData: {
        sentiment: 'Negative',
        keyTopics: ['grief', 3],
        action_items: 'not a list',
        emotional_state: 'hopeless',
      },
    });
    expect(a).toMatchObject({
      sentiment: 'negative',
      keyTopics: ['grief'],
      actionItems: [],
      emotionalState: 'hopeless',
    });
    expect(a.crisisText).toBe('They said they want to die.\nhopeless');
    expect(assessCrisis(a.crisisText, { perspective: 'third_person' })).toMatchObject({
      level: 'high',
      requiresIntervention: true,
    });
    expect(summarizeCallAnalysis(undefined)).toMatchObject({ sentiment: null, keyTopics: [], crisisText: '' });
  });
});
