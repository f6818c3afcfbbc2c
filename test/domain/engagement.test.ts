import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACTIVITY_KINDS,
  applyActivity,
  byFoldOrder,
  DAILY_XP_CAP,
  EMPTY_ENGAGEMENT,
  localDate,
  recomputeEngagement,
  visibleStreak,
  XP_POINTS,
  type ActivityEvent,
  type EngagementState,
} from '../../src/domain/engagement.ts';

const ev = (iso: string, kind: ActivityEvent['kind'] = 'message', zone = 'UTC', crisis = false): ActivityEvent => ({
  at: new Date(iso),
  kind,
  zone,
  crisis,
});
const fold = (events: ActivityEvent[]) =>
  events.reduce<EngagementState>((s, e) => applyActivity(s, e)!, EMPTY_ENGAGEMENT);

describe('streak', () => {
  it('counts consecutive local days and resets after a gap at the first activity', () => {
    const s = fold([
      ev('2026-03-01T10:00Z'),
      ev('2026-03-02T10:00Z'),
      ev('2026-03-02T18:00Z'),
      ev('2026-03-03T09:00Z'),
    ]);
    expect(s.currentStreak).toBe(3);
    const afterGap = applyActivity(s, ev('2026-03-05T09:00Z', 'checkin_response'))!;
    expect(afterGap.currentStreak).toBe(1); // an answered check-up after a missed day restarts at 1
  });

  it('uses the local calendar date, not the UTC one', () => {
    // 23:30 in New York on March 1 is March 2 in UTC.
    const s = fold([
      ev('2026-03-02T04:30Z', 'message', 'America/New_York'),
      ev('2026-03-02T15:00Z', 'message', 'America/New_York'),
    ]);
    expect(localDate(new Date('2026-03-02T04:30Z'), 'America/New_York')).toBe('2026-03-01');
    expect(s.currentStreak).toBe(2);
  });

  it('treats DST days as ordinary days (spring forward and fall back in New York and London)', () => {
    for (const zone of ['America/New_York', 'Europe/London']) {
      const spring = fold([
        ev('2026-03-07T15:00Z', 'message', zone),
        ev('2026-03-08T15:00Z', 'message', zone),
        ev('2026-03-29T15:00Z', 'message', zone),
      ]);
      expect(spring.currentStreak).toBe(1);
      const days = ['2026-10-24', '2026-10-25', '2026-10-26', '2026-11-01', '2026-11-02'];
      const fall = fold(days.slice(0, 3).map((d) => ev(`${d}T12:00Z`, 'message', zone)));
      expect(fall.currentStreak).toBe(3);
    }
  });

  it('travel west to an earlier local date keeps the streak; the next day extends it', () => {
    const s = fold([
      ev('2026-05-10T01:00Z', 'message', 'Asia/Tokyo'),
      ev('2026-05-10T02:00Z', 'message', 'America/Los_Angeles'),
    ]);
    expect(s.lastActiveDate).toBe('2026-05-10'); // Tokyo's date; LA's was still May 9
    expect(s.currentStreak).toBe(1);
    expect(applyActivity(s, ev('2026-05-11T20:00Z', 'message', 'America/Los_Angeles'))!.currentStreak).toBe(2);
  });

  it('is shown as 0 once a whole day passes without activity', () => {
    const s = fold([ev('2026-03-01T10:00Z'), ev('2026-03-02T10:00Z')]);
    expect(visibleStreak(s, new Date('2026-03-03T23:00Z'), 'UTC')).toBe(2);
    expect(visibleStreak(s, new Date('2026-03-04T00:30Z'), 'UTC')).toBe(0);
  });
});

describe('XP', () => {
  it('gives more for a check-up than a message, caps a day, and gives nothing for crisis activity', () => {
    expect(XP_POINTS.checkin_response).toBeGreaterThan(XP_POINTS.message);
    const base = Date.parse('2026-03-01T10:00Z');
    const many = fold(
      Array.from({ length: 100 }, (_, i) => ({ ...ev('2026-03-01T10:00Z'), at: new Date(base + i * 60_000) })),
    );
    expect(many.xp).toBe(DAILY_XP_CAP);
    const crisis = fold([ev('2026-03-01T10:00Z', 'message', 'UTC', true)]);
    expect(crisis.xp).toBe(0);
    expect(crisis.currentStreak).toBe(1); // still activity
  });

  it('refuses an event older than the latest applied: the caller recomputes', () => {
    const s = fold([ev('2026-03-02T10:00Z')]);
    expect(applyActivity(s, ev('2026-03-01T10:00Z'))).toBeNull();
  });
});

const zones = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
const eventArb = fc.record({
  at: fc.date({ min: new Date('2026-01-01T00:00Z'), max: new Date('2026-12-31T00:00Z'), noInvalidDate: true }),
  kind: fc.constantFrom(...ACTIVITY_KINDS),
  zone: fc.constantFrom(...zones),
  crisis: fc.boolean(),
});

describe('recompute equals the incremental update (property)', () => {
  it('for any history, in time order', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        const sorted = [...events].sort(byFoldOrder);
        expect(fold(sorted)).toEqual(recomputeEngagement(events));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('shuffled or duplicated arrivals (deduplicated by event id) give the same totals', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), fc.integer(), (events, seed) => {
        const withIds = events.map((e, i) => ({ ...e, id: i }));
        const arrivals = [...withIds, ...withIds.filter((_, i) => (i + seed) % 3 === 0)].sort(
          (a, b) => ((a.id * 7919 + seed) % 101) - ((b.id * 7919 + seed) % 101),
        );
        const seen = new Map(arrivals.map((e) => [e.id, e]));
        expect(recomputeEngagement([...seen.values()])).toEqual(recomputeEngagement(events));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  });
});

describe('events at the same instant in different zones', () => {
  it('fold to the same state whatever their arrival order (found by the property test)', () => {
    const events = [
      ev('2026-12-30T23:59:59.973Z', 'message', 'Pacific/Chatham'),
      ev('2026-12-30T23:59:59.973Z', 'message', 'UTC'),
      ev('2026-01-01T00:00:00.000Z'),
    ];
    expect(recomputeEngagement([...events].reverse())).toEqual(recomputeEngagement(events));
  });
});
