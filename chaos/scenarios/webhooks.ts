// Duplicate and shuffled webhook deliveries (Supabase, Vapi, Twilio) at 10× the normal rate, against a
// web, a worker and a clock process. Every distinct event is delivered 3–10 times, all deliveries of all
// events in one shuffled order (CHAOS_SEED), CHAOS_WEBHOOK_CONCURRENCY (40) at once. Invariant: every
// delivery is acknowledged, and each distinct event has its effects exactly once whatever the order.
import { randomUUID } from 'node:crypto';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { producerConnection } from '../../src/queues/connection.ts';
import { enqueueInTransaction, Producer } from '../../src/queues/producer.ts';
import { safetyEscalate } from '../../src/queues/safety-escalate.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import { userSync } from '../../src/queues/user-sync.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { vapiWebhook } from '../../src/queues/vapi-webhook.ts';
import { FakeSupabaseAuth } from '../../test/support/fake-supabase-auth.ts';
import { startFakeTwilio } from '../../test/support/fake-twilio.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../../test/support/fake-vapi.ts';
import {
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
import {
  prng,
  PUBLIC_BASE_URL,
  SUPABASE_WEBHOOK_SECRET,
  supabaseEvents,
  TWILIO_TOKEN,
  twilioEvents,
  VAPI_HMAC_SECRET,
  VAPI_WEBHOOK_SECRET,
  vapiEvents,
  type WebhookEvent,
} from './webhook-events.ts';
import { verify } from './webhooks-verify.ts';

const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const CONCURRENCY = Number(process.env.CHAOS_WEBHOOK_CONCURRENCY ?? 40);
const [AUTH_USERS, CALLS, CRISIS_CALLS, UNANSWERED, ALERTS, UNDELIVERED] = [120, 40, 4, 8, 30, 12];
const ASSISTANT = 'asst_chaos_webhooks';

export async function webhooks(): Promise<Outcome> {
  const [auth, vapi, twilio] = [
    await new FakeSupabaseAuth().start(),
    await new FakeVapi().start(),
    await startFakeTwilio(),
  ];
  const env = await chaosEnv('webhooks', {
    SUPABASE_URL: auth.url,
    SUPABASE_SERVICE_ROLE_KEY: auth.serviceKey,
    SUPABASE_WEBHOOK_SECRET,
    USER_RECONCILE_CRON: '0 0 1 1 *', // no reconcile run in between
    VAPI_BASE_URL: vapi.url,
    VAPI_API_KEY: FAKE_VAPI_KEY,
    VAPI_PHONE_NUMBER_ID: 'pn_chaos',
    VAPI_MAX_CALLS_PER_MINUTE: '100000',
    VAPI_WEBHOOK_SECRET,
    VAPI_WEBHOOK_HMAC_SECRET: VAPI_HMAC_SECRET,
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: '+15550001111',
    PUBLIC_BASE_URL,
  });
  const producer = new Producer(producerConnection(env.config.REDIS_URL), env.config.REDIS_PREFIX);
  const procs: HearthProcess[] = [];
  try {
    procs.push(...(await Promise.all([env.start('web'), env.start('worker'), env.start('clock')])));
    const port = procs[0]!.port!;
    const world = await seed(env);
    // Alerts through the API (service key): each texts its user's first contact.
    for (const userId of world.alertUsers) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/safety/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
        body: JSON.stringify({ user_id: userId }),
      });
      if (res.status !== 202) throw new Error(`alert answered ${res.status}`);
    }
    const q = <T>(sql: string, params: unknown[] = []) => query<T>(env, sql, params);
    const ready = await waitFor(async () => {
      const [r] = await q<{
        placed: number;
        texted: number;
      }>(`select (select count(*)::int from voice_calls where vapi_call_id is not null) as placed,
        (select count(*)::int from contact_logs where contact_metadata ->> 'provider_id' is not null) as texted`);
      return r!.placed === CALLS && r!.texted === ALERTS;
    }, 30_000);
    if (!ready) throw new Error('setup: calls not placed or alert texts not sent within 30 s');

    // The distinct events, then every delivery of every one of them in one shuffled order.
    const supabase = supabaseEvents(auth, AUTH_USERS);
    // Users deleted in Auth were synced before (their INSERT delivered once now, and again in the burst).
    for (const insert of supabase.deleted.values()) {
      const { path, headers, body } = insert.request(0);
      await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body });
    }
    const synced = await waitFor(
      async () =>
        (
          await q<{ n: number }>(
            `select count(*)::int as n from users where id = any('{${[...supabase.deleted.keys()].join(',')}}'::uuid[])`,
          )
        )[0]!.n === supabase.deleted.size,
      30_000,
    );
    if (!synced) throw new Error('setup: users to delete not synced within 30 s');
    for (const id of supabase.deleted.keys()) auth.users.delete(id);
    const calls = await q<{ id: string; vapi_call_id: string; user_id: string }>(
      `select id, vapi_call_id, user_id from voice_calls order by id`,
    );
    const crisis = new Set(calls.slice(0, CRISIS_CALLS).map((c) => c.id));
    const unanswered = new Set(calls.slice(CRISIS_CALLS, CRISIS_CALLS + UNANSWERED).map((c) => c.id));
    const vapiSet = calls.flatMap((c) =>
      vapiEvents(
        vapi,
        c.vapi_call_id,
        crisis.has(c.id)
          ? { summary: 'The user said they want to die and feel hopeless.' }
          : unanswered.has(c.id)
            ? { endedReason: 'customer-did-not-answer' }
            : {},
      ),
    );
    const logs = await q<{ id: string; provider_id: string }>(
      `select id, contact_metadata ->> 'provider_id' as provider_id from contact_logs order by id`,
    );
    const undelivered = new Set(logs.slice(0, UNDELIVERED).map((l) => l.id));
    const twilioSet = logs.flatMap((l) =>
      twilioEvents(
        twilio.requests.find((r) => r.form.StatusCallback?.endsWith(`log=${l.id}`))!,
        l.provider_id,
        !undelivered.has(l.id),
      ),
    );
    const events = [...supabase.events, ...vapiSet, ...twilioSet];
    const t = performance.now();
    const answers = await deliver(port, events);
    const deliverSeconds = (performance.now() - t) / 1000;

    const expectedTexts = ALERTS + UNDELIVERED + CRISIS_CALLS;
    const settled = await waitFor(
      async () => (await drained(env, producer)) && twilio.requests.length >= expectedTexts,
      60_000,
    );
    await sleep(1_000); // anything still on its way would show up now
    const check = await verify(env, {
      supabase,
      auth,
      vapi,
      calls,
      crisis,
      unanswered,
      undelivered,
      events,
      answers,
      texts: twilio.requests.map((r) => r.form.To!),
      world,
    });
    const failedJobs = await failedJobCount(producer);
    const deliveries = answers.length;
    return {
      ok: settled && check.problems.length === 0 && failedJobs === 0,
      seed: SEED,
      distinctEvents: `${supabase.events.length} supabase + ${vapiSet.length} vapi + ${twilioSet.length} twilio`,
      deliveries,
      deliveriesPerSecond: Math.round(deliveries / deliverSeconds),
      texts: twilio.requests.length,
      failedJobs,
      ...check.figures,
      ...(check.problems.length ? { problems: check.problems.slice(0, 5).join('; ') } : {}),
    };
  } finally {
    await stopAll(procs);
    await producer.close();
    producer.connection.disconnect();
    await env.dispose();
    await Promise.all([auth.stop(), vapi.stop(), twilio.close()]);
  }
}

/** Callers (some with a safety contact, for the crisis calls' outreach) with queued calls, and alert users with two contacts each. */
async function seed(env: ChaosEnv) {
  const em = env.orm.em.fork();
  const voice = em.create(Voice, { name: 'Chaos', assistantId: ASSISTANT });
  let phone = 0;
  const nextPhone = () => `+1555${String(10_000_000 + phone++).slice(1)}`;
  const user = () =>
    em.create(User, {
      id: randomUUID(),
      email: `webhooks-${phone}@example.test`,
      displayName: 'Robin',
      phoneNumber: nextPhone(),
      // Their destinations are proven (verified with Auth), as reminders and calls require.
      emailConfirmedAt: new Date(),
      phoneConfirmedAt: new Date(),
    });
  const contact = (u: User, priorityOrder: number) =>
    em.create(SafetyContact, {
      user: u,
      externalFirstName: 'Sam',
      externalPhoneNumber: nextPhone(),
      priorityOrder,
      allowedCommunicationMethods: ['sms'],
    });
  for (let i = 0; i < CALLS; i++) {
    const u = user();
    contact(u, 1); // reached only if the call's report shows a crisis
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
  const alertUsers: string[] = [];
  const secondContacts: string[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const u = user();
    contact(u, 1);
    secondContacts.push(contact(u, 2).externalPhoneNumber!);
    alertUsers.push(u.id);
  }
  await em.flush(); // the clock's outbox relay hands the vapi-call jobs to the worker
  return { alertUsers, secondContacts };
}

interface Answer {
  event: WebhookEvent;
  status: number;
  body: Record<string, unknown> | null;
}

async function deliver(port: number, events: WebhookEvent[]): Promise<Answer[]> {
  const random = prng(SEED);
  const queue = events.flatMap((event) =>
    Array.from({ length: 3 + Math.floor(random() * 8) }, (_, n) => ({ event, n })),
  );
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length) {
        const { event, n } = queue[next++]!;
        const { path, headers, body } = event.request(n);
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          answers.push({
            event,
            status: res.status,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
          });
        } catch {
          answers.push({ event, status: 0, body: null });
        }
      }
    }),
  );
  return answers;
}

const WORK_QUEUES = [userSync, vapiWebhook, safetyOutreach, vapiCall];

/** Nothing left to do: outbox relayed, events applied, queues empty (a delivered text's next step waits 10 minutes, delayed). */
async function drained(env: ChaosEnv, producer: Producer) {
  const [r] = await query<{ n: number }>(
    env,
    `select
    (select count(*)::int from outbox_jobs where enqueued_at is null) + (select count(*)::int from webhook_events where processing_status = 'pending') as n`,
  );
  if (r!.n) return false;
  for (const job of [...WORK_QUEUES, safetyEscalate]) {
    const c = await producer.queue(job).getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    if (c.waiting! + c.active! + c.prioritized! + (job === safetyEscalate ? 0 : c.delayed!)) return false;
  }
  return true;
}

async function failedJobCount(producer: Producer) {
  let n = 0;
  for (const job of [...WORK_QUEUES, safetyEscalate])
    n += (await producer.queue(job).getJobCounts('failed')).failed ?? 0;
  return n;
}
