// When does a schedule run next? cron-parser computes, croner cross-checks, luxon answers wall-clock
// questions. Pure. Rules (docs/schedules.md): a local time skipped by spring-forward fires once, at the
// first valid instant after the gap (02:30 on a New York spring-forward day fires at 03:00 EDT); a local
// time that occurs twice at fall-back fires once, at its first occurrence. cron-parser has measured faults
// (throws `loop limit exceeded` around Australia/Lord_Howe's transitions, skips valid slots there), so
// each answer is compared with croner; on an error, a disagreement or a slow answer the earliest valid
// candidate wins and the result names the fallback. If both fail, the search restarts from later instants.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { Cron } from 'croner';
import { DateTime, IANAZone } from 'luxon';

export type FallbackKind = 'croner' | 'search-forward';

export interface Fallback {
  used: FallbackKind;
  /** Why the primary answer was not taken as is: its error, a disagreement, or its duration. */
  reason: string;
}

export interface NextRun {
  at: Date;
  /** null when cron-parser answered quickly and croner agreed. */
  fallback: Fallback | null;
}

export class ScheduleComputationError extends Error {
  override name = 'ScheduleComputationError';
}

/** A cron-parser answer slower than this is reported (it is synchronous: it cannot be interrupted). */
export const SLOW_COMPUTATION_MS = 100;
/** Where the search restarts when neither library answers, relative to the requested instant. */
const SEARCH_FORWARD_STEPS_MS = [3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 31 * 86_400_000];

export const isValidZone = (zone: string): boolean => zone.length > 0 && IANAZone.isValidZone(zone);

/** Parses with cron-parser; throws on an invalid expression. Five fields only (no seconds). */
function parse(cron: string, zone: string, after?: Date): CronExpression {
  if (!cron.startsWith('@') && cron.trim().split(/\s+/).length !== 5) {
    throw new Error('expected 5 fields: minute hour day-of-month month day-of-week');
  }
  return CronExpressionParser.parse(cron, { tz: zone, ...(after ? { currentDate: after } : {}) });
}

/** An error message when `cron` is not a valid 5-field expression, else null. */
export function cronError(cron: string): string | null {
  try {
    parse(cron, 'UTC').next();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const wallMinute = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm");

/** True when `at` is the second occurrence of its local wall time (the repeated hour after fall-back). */
export function isRepeatedLocalTime(at: Date, zone: string): boolean {
  const here = DateTime.fromJSDate(at, { zone });
  const before = DateTime.fromMillis(at.getTime() - 3 * 3_600_000, { zone });
  const shiftMinutes = before.offset - here.offset;
  if (shiftMinutes <= 0) return false;
  const twin = DateTime.fromMillis(at.getTime() - shiftMinutes * 60_000, { zone });
  return twin.offset !== here.offset && wallMinute(twin) === wallMinute(here);
}

/** True when the clocks jumped forward exactly at `at` (the first valid instant after a gap). */
const isSpringForwardInstant = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).offset > DateTime.fromMillis(at.getTime() - 60_000, { zone }).offset;

type Attempt = { at: Date; ms: number } | { error: string };

function fromCronParser(cron: string, zone: string, after: Date): Attempt {
  const started = performance.now();
  try {
    const at = parse(cron, zone, after).next().toDate();
    return { at, ms: performance.now() - started };
  } catch (err) {
    return { error: `cron-parser: ${(err as Error).message}` };
  }
}

function fromCroner(cron: string, zone: string, after: Date): Attempt {
  try {
    const at = new Cron(cron, { timezone: zone }).nextRun(after);
    return at ? { at, ms: 0 } : { error: 'croner: no next run' };
  } catch (err) {
    return { error: `croner: ${(err as Error).message}` };
  }
}

/** One candidate after `after` (may still be a repeated local time; nextRunAfter filters those). */
function candidate(cron: string, zone: string, after: Date): NextRun {
  const primary = fromCronParser(cron, zone, after);
  const check = fromCroner(cron, zone, after);
  if ('at' in primary && 'at' in check && primary.at.getTime() === check.at.getTime()) {
    const slow = primary.ms > SLOW_COMPUTATION_MS;
    return {
      at: primary.at,
      fallback: slow ? { used: 'croner', reason: `cron-parser took ${Math.round(primary.ms)} ms` } : null,
    };
  }
  let expression: CronExpression;
  try {
    expression = parse(cron, zone);
  } catch (err) {
    throw new ScheduleComputationError(`invalid cron "${cron}": ${(err as Error).message}`);
  }
  // Earliest first, so a slot one library skipped still fires; a candidate must match the expression
  // in local time or be the first instant after a spring-forward gap (croner's reading of a skipped time).
  const valid = [primary, check]
    .flatMap((a) => ('at' in a ? [a.at] : []))
    .filter((at) => at > after && (expression.includesDate(at) || isSpringForwardInstant(at, zone)))
    .sort((a, b) => a.getTime() - b.getTime());
  const reason =
    'error' in primary
      ? primary.error
      : `cron-parser said ${primary.at.toISOString()}, croner ${'at' in check ? check.at.toISOString() : check.error}`;
  if (valid[0]) {
    const primaryWon = 'at' in primary && valid[0].getTime() === primary.at.getTime();
    return { at: valid[0], fallback: primaryWon ? null : { used: 'croner', reason } };
  }
  return searchForward(cron, zone, after, reason);
}

function searchForward(cron: string, zone: string, after: Date, reason: string): NextRun {
  for (const step of SEARCH_FORWARD_STEPS_MS) {
    const from = new Date(after.getTime() + step);
    const attempt = fromCronParser(cron, zone, from);
    const found = 'at' in attempt ? attempt : fromCroner(cron, zone, from);
    if ('at' in found)
      return {
        at: found.at,
        fallback: { used: 'search-forward', reason: `${reason}; searched from ${from.toISOString()}` },
      };
  }
  throw new ScheduleComputationError(`no next run for "${cron}" in ${zone} after ${after.toISOString()}: ${reason}`);
}

/**
 * The first run strictly after `after`. Throws ScheduleComputationError only when no run can be found
 * at all (then the caller must still move the schedule on and say so).
 */
export function nextRunAfter(cron: string, zone: string, after: Date): NextRun {
  let from = after;
  let fallback: Fallback | null = null;
  for (let hop = 0; hop < 4; hop++) {
    const next = candidate(cron, zone, from);
    fallback ??= next.fallback;
    if (!isRepeatedLocalTime(next.at, zone)) return { at: next.at, fallback };
    from = next.at; // fall-back: this wall time already fired an hour (or 30 minutes) ago
  }
  throw new ScheduleComputationError(
    `no next run for "${cron}" in ${zone} after ${after.toISOString()}: repeated local times only`,
  );
}

export interface RunTime {
  utc: string;
  local: string;
}

/** The next `count` runs after `after`, in UTC and in the schedule's zone (ISO 8601 with offset). */
export function upcomingRuns(cron: string, zone: string, after: Date, count: number): RunTime[] {
  const runs: RunTime[] = [];
  let from = after;
  for (let i = 0; i < count; i++) {
    const { at } = nextRunAfter(cron, zone, from);
    runs.push({
      utc: at.toISOString(),
      local: DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true })!,
    });
    from = at;
  }
  return runs;
}

export interface Advance {
  /** The first run strictly after `now`: the new next_run_at. */
  next: NextRun;
  /** Slots after `due` and up to `now` that were not fired (the clock was down); capped. */
  missed: number;
}

/**
 * Moves a schedule past `now` from the slot it was due at. Normally one computation (the next slot is
 * already in the future); after an outage it walks the missed slots, up to `cap`, then jumps.
 */
export function advanceSchedule(cron: string, zone: string, due: Date, now: Date, cap = 1_000): Advance {
  let missed = 0;
  let next = nextRunAfter(cron, zone, due);
  let fallback = next.fallback;
  while (next.at <= now) {
    missed += 1;
    next = missed < cap ? nextRunAfter(cron, zone, next.at) : nextRunAfter(cron, zone, now);
    fallback ??= next.fallback;
  }
  return { next: { at: next.at, fallback }, missed };
}

/**
 * The shortest gap between consecutive runs (minutes), over the next `sample` runs in UTC. Cron sets
 * repeat per firing day, so the first hundred runs show every gap an expression can produce.
 */
export function shortestIntervalMinutes(cron: string, from: Date, sample = 100): number {
  const expression = parse(cron, 'UTC', from);
  let previous = expression.next().toDate().getTime();
  let shortest = Infinity;
  for (let i = 1; i < sample && expression.hasNext(); i++) {
    const at = expression.next().toDate().getTime();
    shortest = Math.min(shortest, (at - previous) / 60_000);
    previous = at;
  }
  return shortest;
}
