import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import {
  advanceSchedule,
  cronError,
  isRepeatedLocalTime,
  isValidZone,
  nextRunAfter,
  shortestIntervalMinutes,
  upcomingRuns,
} from '../../src/domain/schedule-time.ts';

const utc = (iso: string) => new Date(iso);
/** Every run in [from, to) as ISO strings. */
function runsBetween(cron: string, zone: string, from: string, to: string): string[] {
  const out: string[] = [];
  let at = utc(from);
  for (;;) {
    at = nextRunAfter(cron, zone, at).at;
    if (at >= utc(to)) return out;
    out.push(at.toISOString());
  }
}

describe('validation', () => {
  it('accepts five-field expressions and names what is wrong otherwise', () => {
    expect(cronError('0 9 * * 1-5')).toBeNull();
    expect(cronError('@daily')).toBeNull();
    expect(cronError('61 9 * * *')).toMatch(/0-59/);
    expect(cronError('0 0 9 * * *')).toMatch(/5 fields/);
    expect(cronError('0 0 30 2 *')).toMatch(/day of month/);
    expect(cronError('banana')).not.toBeNull();
  });

  it('knows IANA zones', () => {
    expect(isValidZone('Europe/London')).toBe(true);
    expect(isValidZone('Australia/Lord_Howe')).toBe(true);
    expect(isValidZone('Mars/Base')).toBe(false);
    expect(isValidZone('')).toBe(false);
  });

  it('measures the shortest gap between runs', () => {
    const from = utc('2026-01-01T00:00:00Z');
    expect(shortestIntervalMinutes('*/5 * * * *', from)).toBe(5);
    expect(shortestIntervalMinutes('0 9 * * *', from)).toBe(1440);
    expect(shortestIntervalMinutes('5,55 0,23 * * *', from)).toBe(10); // 23:55 → 00:05 across midnight
    expect(shortestIntervalMinutes('0,30 9 * * 1', from)).toBe(30);
  });
});

describe('next runs in a zone', () => {
  it('reads the expression in local time and lists UTC and local', () => {
    const runs = upcomingRuns('0 9 * * *', 'Europe/Berlin', utc('2026-06-01T12:00:00Z'), 2);
    expect(runs).toEqual([
      { utc: '2026-06-02T07:00:00.000Z', local: '2026-06-02T09:00:00+02:00' },
      { utc: '2026-06-03T07:00:00.000Z', local: '2026-06-03T09:00:00+02:00' },
    ]);
  });

  it('is strictly after the given instant', () => {
    expect(nextRunAfter('0 9 * * *', 'UTC', utc('2026-06-01T09:00:00Z')).at.toISOString()).toBe(
      '2026-06-02T09:00:00.000Z',
    );
  });
});

describe('DST rule: a skipped local time fires once at the first valid instant; a repeated one fires once', () => {
  it('America/New_York spring-forward (02:00 → 03:00, 8 March 2026)', () => {
    // 02:30 does not exist that day: it fires at 03:00 EDT (07:00Z), once, then 02:30 EDT the next day.
    expect(runsBetween('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z')).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    // Hourly: the missing 02:00 coincides with 03:00, which fires once.
    expect(runsBetween('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', '2026-03-08T08:30:00Z')).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('America/New_York fall-back (02:00 EDT → 01:00 EST, 1 November 2026)', () => {
    expect(runsBetween('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire again
      '2026-11-02T06:30:00.000Z',
    ]);
    // Hourly: 01:00 happens twice; it fires at the first (05:00Z), not at 06:00Z.
    expect(runsBetween('0 * * * *', 'America/New_York', '2026-11-01T03:30:00Z', '2026-11-01T07:30:00Z')).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
    expect(isRepeatedLocalTime(utc('2026-11-01T06:00:00Z'), 'America/New_York')).toBe(true);
    expect(isRepeatedLocalTime(utc('2026-11-01T05:00:00Z'), 'America/New_York')).toBe(false);
  });

  it('Europe/London (01:00 GMT → 02:00 BST on 29 March; back on 25 October 2026)', () => {
    expect(runsBetween('30 1 * * *', 'Europe/London', '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
      '2026-03-29T01:00:00.000Z', // 01:30 skipped → 02:00 BST
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(runsBetween('15 1 * * *', 'Europe/London', '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual([
      '2026-10-25T00:15:00.000Z', // 01:15 BST; 01:15 GMT skipped
      '2026-10-26T01:15:00.000Z',
    ]);
  });

  it('Australia/Lord_Howe: 30-minute shifts, where cron-parser throws or skips and croner takes over', () => {
    // 5 April 2026, 02:00 LHDT (+11) → 01:30 LHST (+10:30): 01:00 to 01:30 happens twice.
    const back = runsBetween('0 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00:00Z', '2026-04-06T00:00:00Z');
    expect(back).toEqual(['2026-04-04T14:00:00.000Z', '2026-04-05T14:30:00.000Z']);
    const fallback = nextRunAfter('0 1 * * *', 'Australia/Lord_Howe', utc('2026-04-04T14:00:00Z')).fallback;
    expect(fallback).toMatchObject({ used: 'croner', reason: expect.stringMatching(/loop limit exceeded/) });
    // 4 October 2026, 02:00 LHST → 02:30 LHDT: 02:00 is skipped; cron-parser skips the whole day.
    expect(runsBetween('0 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', '2026-10-05T00:00:00Z')).toEqual([
      '2026-10-03T15:30:00.000Z', // 02:30 LHDT, the first valid instant
      '2026-10-04T15:00:00.000Z',
    ]);
    // Half-hourly across the gap: 01:30 LHST, then 02:30 LHDT (which cron-parser omits), 03:00 …
    expect(runsBetween('*/30 * * * *', 'Australia/Lord_Howe', '2026-10-03T14:45:00Z', '2026-10-03T16:10:00Z')).toEqual([
      '2026-10-03T15:00:00.000Z',
      '2026-10-03T15:30:00.000Z',
      '2026-10-03T16:00:00.000Z',
    ]);
  });

  it('America/Havana midnight DST: 0 0 * * * fires every day', () => {
    const runs = runsBetween('0 0 * * *', 'America/Havana', '2026-03-06T00:00:00Z', '2026-03-10T12:00:00Z');
    expect(runs.map((r) => DateTime.fromISO(r, { zone: 'America/Havana' }).toISODate())).toEqual([
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
  });
});

describe('after an outage', () => {
  it('fires once and counts the slots it missed', () => {
    const due = utc('2026-06-01T09:00:00Z');
    const result = advanceSchedule('*/15 * * * *', 'UTC', due, utc('2026-06-01T12:05:00Z'));
    expect(result.missed).toBe(12); // 09:15 … 12:00
    expect(result.next.at.toISOString()).toBe('2026-06-01T12:15:00.000Z');
    expect(advanceSchedule('*/15 * * * *', 'UTC', due, utc('2026-06-01T09:00:01Z')).missed).toBe(0);
    // A long outage stops counting at the cap and jumps straight past now.
    const capped = advanceSchedule('*/15 * * * *', 'UTC', due, utc('2026-09-01T00:00:00Z'), 50);
    expect(capped.missed).toBe(50);
    expect(capped.next.at.toISOString()).toBe('2026-09-01T00:15:00.000Z');
  });
});

describe('property: agrees with croner away from DST transition days', () => {
  const zones = [
    'UTC',
    'America/New_York',
    'Europe/London',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/Havana',
    'Pacific/Chatham',
    'America/Sao_Paulo',
    'Asia/Tokyo',
  ];
  const field = (max: number, min = 0) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
        .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.integer({ min: 2, max: Math.max(2, Math.floor(max / 2)) }).map((s) => `*/${s}`),
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 3 }).map((v) => v.join(',')),
    );
  const expression = fc
    .tuple(fc.integer({ min: 0, max: 59 }).map(String), field(23), field(28, 1), field(12, 1), field(6))
    .map((f) => f.join(' '));
  const yearMs = 365 * 86_400_000;
  const start = Date.UTC(2026, 0, 1);

  /** A local day whose offset changes (a DST transition day): the explicit tests above cover those. */
  const onTransitionDay = (at: Date, zone: string) => {
    const local = DateTime.fromJSDate(at, { zone });
    return local.startOf('day').offset !== local.endOf('day').offset;
  };

  it('next run after random instants of a year', () => {
    fc.assert(
      fc.property(expression, fc.constantFrom(...zones), fc.integer({ min: 0, max: yearMs }), (cron, zone, offset) => {
        const after = new Date(start + offset);
        const ours = nextRunAfter(cron, zone, after).at;
        const theirs = new Cron(cron, { timezone: zone }).nextRun(after)!;
        if (onTransitionDay(ours, zone) || onTransitionDay(theirs, zone)) return true;
        expect(ours.toISOString()).toBe(theirs.toISOString());
        return true;
      }),
      { numRuns: 400 },
    );
  });
});
