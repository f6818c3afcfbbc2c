// 1. kill -9 the worker in the middle of a mixed load, twice, restarting it each time; once the stalled jobs
// are recovered every accepted request has exactly its effects, job type by job type:
//  - audit-event (1,000 via the API): one system_events row each;
//  - memory-extraction (1,000 chat messages via the API): each message extracted once, its memories and its
//    engagement activity written once;
//  - safety-outreach (200 alerts via the API, each user with two SMS contacts): nobody is texted twice, and
//    every incident reached someone: its first contact, or (a crash between Twilio's answer and the write,
//    docs/safety.md) its second;
//  - vapi-call (200 queued calls): each placed at Vapi exactly once;
//  - schedule-run (300 in-app check-ups due as the load starts): one execution and one check-in each.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { Schedule } from '../../src/entities/schedule.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { enqueueInTransaction } from '../../src/queues/producer.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../../test/support/fake-vapi.ts';
import { startFakeTwilio } from '../../test/support/fake-twilio.ts';
import {
  auditInvariant,
  auditLoad,
  chaosEnv,
  query,
  SERVICE_KEY,
  sleep,
  stopAll,
  waitFor,
  type ChaosEnv,
  type HearthProcess,
  type Outcome,
} from '../support.ts';
import { PUBLIC_BASE_URL, TWILIO_TOKEN } from './webhook-events.ts';
import { watchStalls } from '../ledger.ts';

// Each chat message now runs the sentence model (crisis and memory steps): on a loaded 2-core machine the
// backlog after two kills takes over 90 s to drain; a lost or doubled effect fails at any wait.
const SETTLE_MS = 180_000;
const [AUDITS, MESSAGES, CHAT_USERS, ALERTS, CALLS, CHECKUPS] = [1_000, 1_000, 50, 200, 200, 300];
const JWT_SECRET = 'chaos-jwt-secret-chaos-jwt-secret-0123456789';
const KILLS = 2;
/** How long BullMQ may take to find a killed worker's jobs (lock 3 s, stalled check every 1 s) on a busy machine. */
const STALL_FOUND_MS = 30_000;

export async function kill9(): Promise<Outcome> {
  const [vapi, twilio] = [await new FakeVapi().start(), await startFakeTwilio()];
  const env = await chaosEnv('kill9', {
    SUPABASE_JWT_SECRET: JWT_SECRET,
    PUBLIC_BASE_URL,
    VAPI_BASE_URL: vapi.url,
    VAPI_API_KEY: FAKE_VAPI_KEY,
    VAPI_PHONE_NUMBER_ID: 'pn_chaos',
    VAPI_MAX_CALLS_PER_MINUTE: '100000',
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: '+15550001111',
  });
  const procs: HearthProcess[] = [];
  const stalls = await watchStalls(env.config.REDIS_URL, env.config.REDIS_PREFIX);
  try {
    procs.push(await env.start('web'), await env.start('clock'), await env.start('worker'));
    const port = procs[0]!.port!;
    const world = await seed(env);
    const loads = Promise.all([
      auditLoad(() => port, AUDITS),
      chatLoad(port, world.chat),
      alertLoad(port, world.alertUsers),
    ]);
    // Each kill must land on jobs in hand: BullMQ reports them stalled (their lock lapsed with the worker)
    // and hands them to the next worker. A kill between jobs would prove nothing about recovery.
    const stalledByKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(1_500);
      const before = stalls.count();
      const worker = procs.pop()!;
      worker.proc.kill('SIGKILL');
      await worker.exited;
      procs.push(await env.start('worker'));
      await waitFor(async () => stalls.count() > before, STALL_FOUND_MS);
      stalledByKill.push(stalls.count() - before);
    }
    const [audit, messages, alerts] = await loads;
    const auditCheck = await auditInvariant(env, audit, 90_000);
    const check = await verify(env, { messages, alerts, vapi, texts: () => twilio.requests.map((r) => r.form.To!) });
    return {
      ok:
        stalledByKill.every((n) => n > 0) &&
        auditCheck.held &&
        auditCheck.accepted === AUDITS &&
        messages.length === MESSAGES &&
        alerts === ALERTS &&
        check.problems.length === 0,
      kills: KILLS,
      stalledByKill: stalledByKill.join(' + '),
      auditAccepted: auditCheck.accepted,
      auditLost: auditCheck.lost,
      doubles: auditCheck.doubles,
      rerunsAfterStall: auditCheck.rerunsAfterStall,
      extraJobs: auditCheck.extraJobs,
      auditUnanswered: audit.statuses[0] ?? 0,
      outboxPending: auditCheck.outboxPending,
      ...check.figures,
      ...(check.problems.length ? { problems: check.problems.slice(0, 5).join('; ') } : {}),
      ...(auditCheck.outboxPending ? { outboxBacklog: await outboxBacklog(env) } : {}),
    };
  } finally {
    await stalls.close();
    await stopAll(procs);
    await env.dispose();
    await Promise.all([vapi.stop(), twilio.close()]);
  }
}

async function seed(env: ChaosEnv) {
  const em = env.orm.em.fork();
  let phone = 0;
  const nextPhone = () => `+1555${String(20_000_000 + phone++).slice(1)}`;
  const user = () =>
    em.create(User, {
      id: randomUUID(),
      email: `kill9-${phone}-${randomUUID()}@example.test`,
      displayName: 'Robin',
      phoneNumber: nextPhone(),
      // Their destinations are proven (verified with Auth), as reminders and calls require.
      emailConfirmedAt: new Date(),
      phoneConfirmedAt: new Date(),
    });
  const key = new TextEncoder().encode(JWT_SECRET);
  const chat = await Promise.all(
    Array.from({ length: CHAT_USERS }, async () => {
      const u = user();
      const token = await new SignJWT({ role: 'authenticated', session_id: randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(u.id)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(key);
      return { id: u.id, conversation: randomUUID(), token };
    }),
  );
  const alertUsers = Array.from({ length: ALERTS }, () => {
    const u = user();
    for (const priorityOrder of [1, 2])
      em.create(SafetyContact, {
        user: u,
        externalFirstName: 'Sam',
        externalPhoneNumber: nextPhone(),
        priorityOrder,
        allowedCommunicationMethods: ['sms'],
      });
    return u.id;
  });
  const voice = em.create(Voice, { name: 'Chaos', assistantId: 'asst_chaos_kill9' });
  for (let i = 0; i < CALLS; i++) {
    const u = user();
    const call = em.create(VoiceCall, {
      id: randomUUID(),
      user: u,
      voice,
      channel: 'outbound_phone',
      phoneNumber: u.phoneNumber!,
      status: 'queued',
    });
    enqueueInTransaction(
      em,
      vapiCall,
      { voice_call_id: call.id, purpose: 'user_request', schedule_execution_id: null },
      { jobKey: call.id },
    );
  }
  // Due over the next 4 s, so they straddle the kills; yearly after that, so each fires once.
  for (let i = 0; i < CHECKUPS; i++) {
    em.create(Schedule, {
      user: user(),
      name: 'Check-in',
      scheduleType: 'chat',
      cronExpression: '0 9 1 1 *',
      timezone: 'UTC',
      reminderMethod: 'in_app',
      nextRunAt: new Date(Date.now() + (i % 40) * 100),
    });
  }
  await em.flush(); // the clock's outbox relay hands the vapi-call jobs to the worker, during the kills
  await query(env, `insert into conversations (id, user_id) select * from unnest(?::uuid[], ?::uuid[])`, [
    `{${chat.map((c) => c.conversation).join(',')}}`,
    `{${chat.map((c) => c.id).join(',')}}`,
  ]);
  return { chat, alertUsers };
}

/** MESSAGES chat messages spread over the users' conversations, 20 at a time; returns the accepted message ids. */
async function chatLoad(port: number, users: { conversation: string; token: string }[]): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < MESSAGES) {
        const n = next++;
        const u = users[n % users.length]!;
        const res = await fetch(`http://127.0.0.1:${port}/v1/conversations/${u.conversation}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
          body: JSON.stringify({
            role: 'user',
            content: `I went hiking with my sister on Saturday and loved it (${n})`,
          }),
        });
        if (res.status === 202) accepted.push(((await res.json()) as { message_id: string }).message_id);
        else await res.body?.cancel();
      }
    }),
  );
  return accepted;
}

/** One manual alert per user (service key); returns how many were accepted. */
async function alertLoad(port: number, userIds: string[]): Promise<number> {
  const statuses = await Promise.all(
    userIds.map(async (userId) => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/safety/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
        body: JSON.stringify({ user_id: userId }),
      });
      await res.body?.cancel();
      return res.status;
    }),
  );
  return statuses.filter((s) => s === 202).length;
}

async function verify(
  env: ChaosEnv,
  sent: { messages: string[]; alerts: number; vapi: FakeVapi; texts: () => string[] },
) {
  const q = <T>(sql: string, params: unknown[] = []) => query<T>(env, sql, params);
  const ids = `{${sent.messages.join(',')}}`;
  // Everything settled: every message extracted and counted as activity, every call placed, every incident's first step done.
  const settled = await waitFor(async () => {
    const [r] = await q<{
      unextracted: number;
      activities: number;
      unplaced: number;
      sending: number;
      incidents: number;
      checkups: number;
    }>(
      `select
      (select count(*)::int from messages where id = any(?::uuid[]) and not memory_extracted) as unextracted,
      (select count(*)::int from activity_events where kind = 'message' and source_id = any(?::uuid[])) as activities,
      (select count(*)::int from voice_calls where vapi_call_id is null) as unplaced,
      (select count(*)::int from contact_logs where contact_metadata ->> 'state' = 'sending') as sending,
      (select count(distinct user_id)::int from contact_logs where contact_metadata ->> 'state' in ('sent', 'unknown')) as incidents,
      (select count(*)::int from schedule_executions where status = 'sent') as checkups`,
      [ids, ids],
    );
    return (
      r!.unextracted === 0 &&
      r!.activities === sent.messages.length &&
      r!.unplaced === 0 &&
      r!.checkups === CHECKUPS &&
      r!.sending === 0 &&
      r!.incidents === sent.alerts
    );
  }, SETTLE_MS);
  const problems: string[] = settled ? [] : [`not settled within ${SETTLE_MS / 1000} s${await outboxBacklog(env)}`];

  const [chat] = await q<{ extracted: number; memoryMismatch: number; activities: number }>(
    `select
    (select count(*)::int from messages where id = any(?::uuid[]) and memory_extracted) as extracted,
    (select count(*)::int from messages m where m.id = any(?::uuid[]) and m.memory_items_created <> (select count(*) from memory_items i where i.message_id = m.id)) as "memoryMismatch",
    (select count(*)::int from activity_events where kind = 'message' and source_id = any(?::uuid[])) as activities`,
    [ids, ids, ids],
  );
  if (chat!.extracted !== sent.messages.length || chat!.memoryMismatch || chat!.activities !== sent.messages.length) {
    problems.push(
      `chat: ${sent.messages.length} messages, ${chat!.extracted} extracted, ${chat!.memoryMismatch} with other memories than counted, ${chat!.activities} activities`,
    );
  }

  const texts = sent.texts();
  const twice = texts.length - new Set(texts).size;
  if (twice) problems.push(`${twice} texts to a number already texted`);
  const reached = await q<{ user_id: string; first: string | null; second: string | null }>(`select u.id as user_id,
      (select c.external_phone_number from safety_contacts c where c.user_id = u.id and c.priority_order = 1) as first,
      (select c.external_phone_number from safety_contacts c where c.user_id = u.id and c.priority_order = 2) as second
    from users u where exists (select 1 from safety_incidents i where i.user_id = u.id)`);
  const textedTo = new Set(texts);
  const unreached = reached.filter((r) => !textedTo.has(r.first!) && !textedTo.has(r.second!)).length;
  const bySecond = reached.filter((r) => !textedTo.has(r.first!) && textedTo.has(r.second!)).length;
  // Both texted: the first text went out but the crash came before its outcome was written (state unknown).
  const both = reached.filter((r) => textedTo.has(r.first!) && textedTo.has(r.second!)).length;
  if (reached.length !== sent.alerts || unreached)
    problems.push(`outreach: ${sent.alerts} alerts, ${reached.length} incidents, ${unreached} reached nobody`);

  const calls = await q<{ id: string }>(`select id from voice_calls`);
  const notOnce = calls.filter((c) => sent.vapi.callsFor(c.id).length !== 1).length;
  if (calls.length !== CALLS || notOnce || sent.vapi.calls.size !== CALLS)
    problems.push(
      `calls: ${calls.length} rows, ${sent.vapi.calls.size} placed at Vapi, ${notOnce} not placed exactly once`,
    );

  const [checkups] = await q<{
    schedules: number;
    executions: number;
    sent: number;
    conversations: number;
    linked: number;
  }>(`select
    (select count(*)::int from schedules) as schedules,
    (select count(*)::int from schedule_executions) as executions,
    (select count(*)::int from schedule_executions where status = 'sent') as sent,
    (select count(*)::int from conversations where session_type = 'check_in') as conversations,
    (select count(distinct execution_metadata ->> 'conversation_id')::int from schedule_executions) as linked`);
  const c = checkups!;
  if (c.executions !== CHECKUPS || c.sent !== CHECKUPS || c.conversations !== CHECKUPS || c.linked !== CHECKUPS) {
    problems.push(
      `check-ups: ${c.schedules} due, ${c.executions} executions (${c.sent} sent), ${c.conversations} check-in conversations, ${c.linked} linked; schedule-run jobs ${await jobStates(env, 'schedule-run')}`,
    );
  }

  return {
    problems,
    figures: {
      checkups: c.executions,
      checkinConversations: c.conversations,
      messages: sent.messages.length,
      extracted: chat!.extracted,
      incidents: reached.length,
      texts: texts.length,
      reachedBySecondContactOnly: bySecond,
      bothContactsTexted: both,
      callsPlaced: sent.vapi.calls.size,
    },
  };
}

/** A queue's job counts and the first failure reasons, for a problem line. */
async function jobStates(env: ChaosEnv, name: string): Promise<string> {
  const { hostname, port } = new URL(env.config.REDIS_URL);
  const queue = new Queue(name, {
    connection: { host: hostname, port: Number(port || 6379) },
    prefix: env.config.REDIS_PREFIX,
  });
  try {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    const failed = await queue.getFailed(0, 2);
    return `${JSON.stringify(counts)} ${failed.map((j) => `${j.id}: ${j.failedReason} (attempts ${j.attemptsMade})`).join(' | ')}`;
  } finally {
    await queue.close();
  }
}

/** The outbox rows still pending, by queue, with their relay errors. */
async function outboxBacklog(env: ChaosEnv): Promise<string> {
  const rows = await query<{ queue: string; n: number; attempts: number; error: string | null }>(
    env,
    `select queue, count(*)::int as n, max(relay_attempts)::int as attempts, max(last_error) as error
     from outbox_jobs where enqueued_at is null group by queue`,
  );
  return rows.length
    ? `; outbox pending: ${rows.map((r) => `${r.queue} ${r.n} (${r.attempts} attempts, ${r.error ?? 'no error'})`).join(', ')}`
    : '';
}
