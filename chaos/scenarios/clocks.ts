// Two clocks and three workers at once for 10 minutes of simulated schedule time: no double fire.
// The clocks run on an accelerated Date (chaos/sim-clock.ts), so CHAOS_CLOCK_WINDOW_MIN (10) minutes of
// slots pass in window / CHAOS_CLOCK_SPEED (12) real minutes. Many users, several crons and zones (some
// every minute, some at a local wall time inside the window), every reminder channel, paused schedules
// and schedules of a deactivated user. Invariant, per schedule, once everything settled: its executions
// are exactly its slots between the window start and its final next_run_at (no duplicate, none missing,
// none extra), that next_run_at lies past the window, and each execution has exactly its one effect.
// The expected slots come from croner directly, never from src/domain/schedule-time.ts (the code under
// test): a fault there that moved or dropped a slot would otherwise move the expectation with it. Both
// clocks must have claimed slots (else "two clocks" proved one) and every process must exit 0.
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { nextRunAfter } from '../../src/domain/schedule-time.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { VoiceSchedule } from '../../src/entities/voice-schedule.entity.ts';
import { deterministicUuid } from '../../src/lib/ids.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../../test/support/fake-vapi.ts';
import { startFakeTwilio } from '../../test/support/fake-twilio.ts';
import { startSmtpSink } from '../../test/support/smtp-sink.ts';
import {
  chaosEnv,
  query,
  sleep,
  stopAll,
  waitFor,
  type ChaosEnv,
  type HearthProcess,
  type LogEntry,
  type Outcome,
} from '../support.ts';

const SPEED = Number(process.env.CHAOS_CLOCK_SPEED ?? 12);
const WINDOW_MS = Number(process.env.CHAOS_CLOCK_WINDOW_MIN ?? 10) * 60_000;
/** Real time the two clocks get to start before the window opens (a late start would count as missed slots). */
const LEAD_MS = 20_000;
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
];
const ASSISTANT = 'asst_chaos_clocks';

type Channel = 'in_app' | 'sms' | 'email' | 'voice';
interface Spec {
  count: number;
  cron: (i: number, zone: string) => string;
  channel: Channel;
  paused?: boolean;
  inactiveUser?: boolean;
}

/** A wall-clock time `minutes` into the window, in `zone`, as a daily cron: the zone decides the UTC slot. */
const dailyAt = (t0: Date, minutes: number) => (_i: number, zone: string) => {
  const local = DateTime.fromJSDate(new Date(t0.getTime() + minutes * 60_000), { zone });
  return `${local.minute} ${local.hour} * * *`;
};

function specs(t0: Date): Spec[] {
  const every = (cron: string) => () => cron;
  return [
    { count: 100, cron: every('* * * * *'), channel: 'in_app' },
    { count: 80, cron: every('*/2 * * * *'), channel: 'in_app' }, // Kathmandu (+05:45) makes it odd UTC minutes
    { count: 60, cron: every('*/3 * * * *'), channel: 'in_app' },
    { count: 40, cron: (i, zone) => dailyAt(t0, 1 + (i % 9))(i, zone), channel: 'in_app' },
    { count: 20, cron: every('0 9 * * 1'), channel: 'in_app' }, // weekly: fires only if the window holds it
    { count: 20, cron: every('* * * * *'), channel: 'in_app', paused: true },
    { count: 10, cron: every('* * * * *'), channel: 'in_app', inactiveUser: true },
    { count: 20, cron: every('*/2 * * * *'), channel: 'sms' },
    { count: 10, cron: every('*/3 * * * *'), channel: 'email' },
    { count: 10, cron: every('*/5 * * * *'), channel: 'voice' },
  ];
}

/** Slots of (cron, zone) strictly after `from` and strictly before `until`, by croner alone. */
function slotsBetween(cron: string, zone: string, from: Date, until: Date): string[] {
  const c = new Cron(cron, { timezone: zone, paused: true });
  const out: string[] = [];
  for (let at = c.nextRun(from); at && at < until; at = c.nextRun(at)) out.push(at.toISOString());
  return out;
}

/** The first slot of (cron, zone) strictly after `from`, by croner alone. */
const slotAfter = (cron: string, zone: string, from: Date) =>
  new Cron(cron, { timezone: zone, paused: true }).nextRun(from)?.toISOString();

async function seed(env: ChaosEnv, t0: Date) {
  const em = env.orm.em.fork();
  const voice = em.create(Voice, { name: 'Chaos', assistantId: ASSISTANT });
  const users: User[] = [];
  const user = (inactive: boolean) => {
    const n = users.length;
    const u = em.create(User, {
      id: randomUUID(),
      email: `clocks-${n}@example.test`,
      displayName: `User ${n}`,
      phoneNumber: `+1555${String(10_000_000 + n).slice(1)}`,
      // Reminders and calls go only to proven destinations: these users verified theirs with Auth.
      emailConfirmedAt: new Date(),
      phoneConfirmedAt: new Date(),
      ...(inactive ? { isActive: false } : {}),
    });
    users.push(u);
    return u;
  };
  let n = 0;
  for (const spec of specs(t0)) {
    for (let i = 0; i < spec.count; i++, n++) {
      const zone = ZONES[n % ZONES.length]!;
      const cron = spec.cron(i, zone);
      // Users hold one to three schedules each, as in the app.
      const owner = spec.inactiveUser ? user(true) : n % 2 === 0 || users.length === 0 ? user(false) : users.at(-1)!;
      em.create(Schedule, {
        user: owner,
        name: `${spec.channel} ${cron}`,
        scheduleType: spec.channel === 'voice' ? 'voice' : 'chat',
        cronExpression: cron,
        timezone: zone,
        reminderMethod: spec.channel,
        assistantId: spec.channel === 'voice' ? ASSISTANT : null,
        isActive: !spec.paused,
        nextRunAt: spec.paused ? null : nextRunAfter(cron, zone, t0).at,
      });
    }
  }
  for (let i = 0; i < 10; i++) {
    const zone = ZONES[i % ZONES.length]!;
    em.create(VoiceSchedule, {
      user: users[i * 7]!,
      voice,
      name: 'Evening call',
      cronExpression: '*/4 * * * *',
      timezone: zone,
      nextRunAt: nextRunAfter('*/4 * * * *', zone, t0).at,
    });
  }
  await em.flush();
  return { users: users.length, schedules: n + 10 };
}

export async function clocks(): Promise<Outcome> {
  const [vapi, twilio, smtp] = [await new FakeVapi().start(), await startFakeTwilio(), await startSmtpSink()];
  const env = await chaosEnv('clocks', {
    VAPI_BASE_URL: vapi.url,
    VAPI_API_KEY: FAKE_VAPI_KEY,
    VAPI_PHONE_NUMBER_ID: 'pn_chaos',
    VAPI_MAX_CALLS_PER_MINUTE: '100000',
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'chaos-twilio-token',
    TWILIO_FROM_NUMBER: '+15550001111',
    SMTP_URL: smtp.url,
    SCHEDULE_TICK_MS: '250',
  });
  const procs: HearthProcess[] = [];
  try {
    procs.push(...(await Promise.all([env.start('worker'), env.start('worker'), env.start('worker')])));
    const end = Date.now() + LEAD_MS + WINDOW_MS / SPEED;
    const t0 = new Date(end - WINDOW_MS);
    const seeded = await seed(env, t0);
    const claims = [0, 0];
    const sim = {
      NODE_OPTIONS:
        `${process.env.NODE_OPTIONS ?? ''} --import=${new URL('../sim-clock.ts', import.meta.url).href}`.trim(),
      CHAOS_SIM_END_MS: String(end),
      CHAOS_SIM_SPEED: String(SPEED),
    };
    const counter = (i: number) => (e: LogEntry) => {
      if (e.msg === 'schedules fired') claims[i]! += Number(e.claimed);
    };
    procs.push(...(await Promise.all([env.start('clock', sim, counter(0)), env.start('clock', sim, counter(1))])));
    const lateStartMs = Math.max(0, Date.now() - (end - WINDOW_MS / SPEED));
    await sleep(Math.max(0, end - Date.now()) + 1_000);
    // Simulated time now stands at the window's end: wait until every claimed slot and its follow-up ran.
    const q = <T>(sql: string, params: unknown[] = []) => query<T>(env, sql, params);
    const settled = await waitFor(async () => {
      const [r] = await q<{ pending: number; unplaced: number; outbox: number }>(`select
        (select count(*)::int from schedule_executions where status = 'pending') as pending,
        (select count(*)::int from voice_calls where vapi_call_id is null) as unplaced,
        (select count(*)::int from outbox_jobs where enqueued_at is null) as outbox`);
      const [n] = await q<{ n: number }>(
        `select count(*)::int as n from schedule_executions where execution_metadata ->> 'notification_job_id' is not null`,
      );
      const [sent] = await q<{ n: number }>(
        `select count(*)::int as n from system_events where event_type = 'notification.sent'`,
      );
      return r!.pending === 0 && r!.unplaced === 0 && r!.outbox === 0 && n!.n === sent!.n;
    }, 60_000);
    await sleep(500); // a provider request answered just now
    const exitCodes = await stopAll(procs);
    const check = await verify(env, t0, { twilio: twilio.requests.length, smtp: smtp.mails.length, vapi: vapi });
    return {
      ok:
        settled &&
        check.problems.length === 0 &&
        lateStartMs < 60_000 / SPEED &&
        claims.every((n) => n > 0) &&
        exitCodes.every((c) => c === 0),
      simulatedMinutes: WINDOW_MS / 60_000,
      speed: SPEED,
      ...seeded,
      claimsByClock: claims.join(' + '),
      exitCodes: exitCodes.join(','),
      lateStartMs,
      ...check.figures,
      ...(check.problems.length ? { problems: check.problems.slice(0, 5).join('; ') } : {}),
    };
  } finally {
    await stopAll(procs);
    await env.dispose();
    await Promise.all([vapi.stop(), twilio.close(), smtp.close()]);
  }
}

async function verify(env: ChaosEnv, t0: Date, sent: { twilio: number; smtp: number; vapi: FakeVapi }) {
  const q = <T>(sql: string, params: unknown[] = []) => query<T>(env, sql, params);
  const windowEnd = new Date(t0.getTime() + WINDOW_MS);
  const problems: string[] = [];
  const schedules = await q<{
    id: string;
    cron_expression: string;
    timezone: string;
    next_run_at: Date | null;
    reminder_method: Channel;
    is_active: boolean;
    user_active: boolean;
  }>(
    `select s.id, s.cron_expression, s.timezone, s.next_run_at, s.reminder_method, s.is_active, u.is_active as user_active from schedules s join users u on u.id = s.user_id`,
  );
  const executions = await q<{
    schedule_id: string;
    executed_at: Date;
    status: string;
    missed: number | null;
    meta: Record<string, string>;
  }>(
    `select schedule_id, executed_at, status, (execution_metadata ->> 'missed_slots')::int as missed, execution_metadata as meta from schedule_executions`,
  );
  const bySchedule = new Map<string, string[]>();
  for (const e of executions)
    bySchedule.set(e.schedule_id, [...(bySchedule.get(e.schedule_id) ?? []), new Date(e.executed_at).toISOString()]);
  let expectedSlots = 0;
  for (const s of schedules) {
    const got = (bySchedule.get(s.id) ?? []).sort();
    // Paused schedules never fire. A deactivated user's schedule fires (skipped) until the worker turns it
    // off: its slots end where the clocks left its next_run_at, and there is at least one.
    const until = s.user_active ? windowEnd : new Date(s.next_run_at ?? t0);
    const expected = s.user_active && !s.is_active ? [] : slotsBetween(s.cron_expression, s.timezone, t0, until);
    if (!s.user_active && !expected.length) problems.push(`${s.id}: a deactivated user's schedule never fired`);
    expectedSlots += expected.length;
    if (got.length !== new Set(got).size) problems.push(`${s.id}: duplicate slot`);
    if (got.join() !== expected.join())
      problems.push(`${s.id} (${s.cron_expression} ${s.timezone}): ${got.length} executions, ${expected.length} slots`);
    const next = s.next_run_at ? new Date(s.next_run_at).toISOString() : null;
    if (s.user_active && s.is_active && next !== slotAfter(s.cron_expression, s.timezone, windowEnd))
      problems.push(`${s.id}: next_run_at ${next} is not the first slot after the window`);
  }
  const status: Record<string, number> = {};
  for (const e of executions) status[e.status] = (status[e.status] ?? 0) + 1;
  const missed = executions.reduce((sum, e) => sum + (e.missed ?? 0), 0);
  if (missed) problems.push(`${missed} missed slots`);
  const inactive = new Set(schedules.filter((s) => !s.user_active).map((s) => s.id));
  const badStatus = executions.filter((e) => e.status !== (inactive.has(e.schedule_id) ? 'skipped' : 'sent')).length;
  if (badStatus) problems.push(`${badStatus} executions neither sent nor skipped as expected`);

  // Effects: one per execution, found under the id the execution names, and nothing else.
  const channel = new Map(schedules.map((s) => [s.id, s.reminder_method]));
  const sentOf = (c: Channel) => executions.filter((e) => e.status === 'sent' && channel.get(e.schedule_id) === c);
  const [fx] = await q<{
    conversations: number;
    messages: number;
    notifications: number;
    calls: number;
    linked: number;
  }>(`select
    (select count(*)::int from conversations where session_type = 'check_in') as conversations,
    (select count(*)::int from messages m join conversations c on c.id = m.conversation_id where c.session_type = 'check_in') as messages,
    (select count(*)::int from system_events where event_type = 'notification.sent') as notifications,
    (select count(*)::int from voice_calls) as calls,
    (select count(*)::int from schedule_executions e join conversations c on c.id = (e.execution_metadata ->> 'conversation_id')::uuid) as linked`);
  const inApp = sentOf('in_app').length;
  if (fx!.conversations !== inApp || fx!.linked !== inApp || fx!.messages !== inApp)
    problems.push(
      `in_app: ${inApp} runs, ${fx!.conversations} conversations, ${fx!.linked} linked, ${fx!.messages} messages`,
    );
  const [sms, email] = [sentOf('sms').length, sentOf('email').length];
  if (fx!.notifications !== sms + email || sent.twilio !== sms || sent.smtp !== email)
    problems.push(
      `reminders: ${sms} sms + ${email} email runs, ${fx!.notifications} notification rows, ${sent.twilio} texts, ${sent.smtp} mails`,
    );
  // Voice: schedule runs name their call; voice_schedules slots are their call ids.
  const voiceSchedules = await q<{ id: string; cron_expression: string; timezone: string; next_run_at: Date }>(
    `select id, cron_expression, timezone, next_run_at from voice_schedules`,
  );
  const callIds = new Set(sentOf('voice').map((e) => e.meta.voice_call_id!));
  for (const vs of voiceSchedules) {
    for (const slot of slotsBetween(vs.cron_expression, vs.timezone, t0, windowEnd))
      callIds.add(deterministicUuid(`voice-call:voice-schedule:${vs.id}:${slot}`));
    if (new Date(vs.next_run_at).toISOString() !== slotAfter(vs.cron_expression, vs.timezone, windowEnd))
      problems.push(`voice schedule ${vs.id}: next_run_at is not the first slot after the window`);
  }
  const calls = await q<{ id: string }>(`select id from voice_calls`);
  const placedTwice = calls.filter((c) => sent.vapi.callsFor(c.id).length !== 1).length;
  if (
    calls.length !== callIds.size ||
    calls.some((c) => !callIds.has(c.id)) ||
    placedTwice ||
    sent.vapi.calls.size !== calls.length
  ) {
    problems.push(
      `voice: ${callIds.size} expected calls, ${calls.length} rows, ${sent.vapi.calls.size} placed at Vapi, ${placedTwice} not placed exactly once`,
    );
  }
  return {
    problems,
    figures: {
      expectedSlots,
      executions: executions.length,
      statuses: Object.entries(status)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      missedSlots: missed,
      checkinConversations: fx!.conversations,
      texts: sent.twilio,
      mails: sent.smtp,
      calls: calls.length,
    },
  };
}
