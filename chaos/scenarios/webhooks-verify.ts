// The `webhooks` scenario's invariants over the database, the fakes and the answers: each distinct event
// has exactly its effects once (docs/user-sync.md, docs/voice.md, docs/safety.md say which), none is lost,
// and the final state does not depend on the order the deliveries arrived in.
import { outboxJobId } from '../../src/queues/producer.ts';
import { safetyEscalate } from '../../src/queues/safety-escalate.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';
import { userSync } from '../../src/queues/user-sync.ts';
import type { FakeSupabaseAuth } from '../../test/support/fake-supabase-auth.ts';
import type { FakeVapi } from '../../test/support/fake-vapi.ts';
import { query, type ChaosEnv } from '../support.ts';
import type { supabaseEvents, WebhookEvent } from './webhook-events.ts';

export interface VerifyInput {
  supabase: ReturnType<typeof supabaseEvents>;
  auth: FakeSupabaseAuth;
  vapi: FakeVapi;
  calls: { id: string; vapi_call_id: string; user_id: string }[];
  crisis: Set<string>;
  unanswered: Set<string>;
  undelivered: Set<string>;
  events: WebhookEvent[];
  answers: { event: WebhookEvent; status: number; body: Record<string, unknown> | null }[];
  texts: string[];
  world: { alertUsers: string[]; secondContacts: string[] };
}

export async function verify(env: ChaosEnv, x: VerifyInput) {
  const q = <T>(sql: string, params: unknown[] = []) => query<T>(env, sql, params);
  const problems: string[] = [];
  const expect = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  const refused = x.answers.filter((a) => a.status < 200 || a.status > 299);
  expect('deliveries not acknowledged (status: count)', tally(refused.map((a) => a.status)), {});

  // Supabase: one user-sync job per distinct body (every delivery answered its id), one success log each.
  const sb = x.events.filter((e) => e.source === 'supabase');
  const jobIds = new Map(sb.map((e) => [e.key, outboxJobId(userSync, `webhook:${e.key}`)]));
  const wrongJob = x.answers.filter(
    (a) => a.event.source === 'supabase' && a.status === 202 && a.body?.job_id !== jobIds.get(a.event.key),
  );
  expect('supabase answers naming another job', wrongJob.length, 0);
  const [jobs] = await q<{ n: number; ours: number }>(
    `select count(*)::int as n, count(*) filter (where id = any(?::uuid[]))::int as ours from outbox_jobs where queue = ?`,
    [`{${[...jobIds.values()].join(',')}}`, userSync.name],
  );
  expect('user-sync jobs (all, of our events)', [jobs!.n, jobs!.ours], [sb.length, sb.length]);
  const syncLogs = await q<{ request_id: string; user_id: string | null; sync_type: string }>(
    `select request_id, user_id, sync_type from user_sync_logs where success and source = 'webhook'`,
  );
  expect(
    'success sync logs per event (events with 0, 2+)',
    countsOff(
      sb.map((e) => `webhook:${e.key.slice(0, 32)}`),
      syncLogs.map((l) => l.request_id),
    ),
    [0, 0],
  );
  const creates = tally(syncLogs.filter((l) => l.sync_type === 'create').map((l) => l.user_id!));
  expect('users created more than once', Object.values(creates).filter((n) => n > 1).length, 0);
  const deletes = tally(syncLogs.filter((l) => l.sync_type === 'delete').map((l) => l.user_id!));
  expect(
    'deleted users (delete logs, logged once)',
    [Object.keys(deletes).length, Object.values(deletes).every((n) => n === 1)],
    [x.supabase.deleted.size, true],
  );
  const users = await q<{
    id: string;
    email: string | null;
    full_name: string | null;
    auth_updated_at: Date | null;
    deleted_at: Date | null;
    is_active: boolean;
  }>(`select id, email, full_name, auth_updated_at, deleted_at, is_active from users where id = any(?::uuid[])`, [
    `{${x.supabase.ids.join(',')}}`,
  ]);
  let mismatched = 0;
  for (const id of x.supabase.ids) {
    const row = users.find((u) => u.id === id);
    const auth = x.auth.users.get(id); // the fake's final copy; deleted users are gone from it
    const ok = auth
      ? row &&
        !row.deleted_at &&
        row.is_active &&
        row.email === auth.email &&
        row.full_name === auth.user_metadata.full_name &&
        iso(row.auth_updated_at) === iso(auth.updated_at)
      : row?.deleted_at && !row.is_active;
    if (!ok) mismatched += 1;
  }
  expect('users rows not matching Supabase Auth', mismatched, 0);

  // Vapi: one webhook_events row per body, each processed; exactly one delivery of each saw duplicate: false.
  const vp = x.events.filter((e) => e.source === 'vapi');
  const stored = await q<{ event_key: string; processing_status: string }>(
    `select event_key, processing_status from webhook_events`,
  );
  expect(
    'webhook_events per event (events with 0, 2+)',
    countsOff(
      vp.map((e) => e.key),
      stored.map((s) => s.event_key),
    ),
    [0, 0],
  );
  expect('webhook_events statuses', tally(stored.map((s) => s.processing_status)), { processed: vp.length });
  const firsts = x.answers
    .filter((a) => a.event.source === 'vapi' && a.status === 200 && a.body?.duplicate === false)
    .map((a) => a.event.key);
  expect(
    'vapi deliveries answered duplicate: false (events with 0, 2+)',
    countsOff(
      vp.map((e) => e.key),
      firsts,
    ),
    [0, 0],
  );
  const rows = await q<{
    id: string;
    status: string;
    ended_reason: string | null;
    started_at: Date | null;
    ended_at: Date | null;
    cost_total: number | null;
    summaries: number;
    outreach: number;
  }>(
    `select c.id, c.status, c.ended_reason, c.started_at, c.ended_at, c.cost_total::float as cost_total,
       (select count(*)::int from call_summaries s where s.call_id = c.id) as summaries,
       (select count(*)::int from outbox_jobs o where o.queue = ? and o.payload ->> 'source_id' = c.id::text) as outreach
     from voice_calls c`,
    [safetyOutreach.name],
  );
  let wrongCalls = 0;
  for (const r of rows) {
    const fake = x.vapi.calls.get(x.calls.find((c) => c.id === r.id)!.vapi_call_id)!;
    const answered = !x.unanswered.has(r.id);
    const ok =
      r.status === 'ended' &&
      r.ended_reason === fake.endedReason &&
      r.cost_total === 0.15 &&
      r.summaries === 1 &&
      iso(r.started_at) === (answered ? iso(fake.startedAt) : null) &&
      iso(r.ended_at) === iso(fake.endedAt) &&
      r.outreach === (x.crisis.has(r.id) ? 1 : 0);
    if (!ok) wrongCalls += 1;
  }
  expect('calls whose final state, summary or outreach is wrong', wrongCalls, 0);
  const crisisUsers = x.calls.filter((c) => x.crisis.has(c.id)).map((c) => c.user_id);
  const [inc] = await q<{ n: number; users: number }>(
    `select count(*)::int as n, count(distinct user_id)::int as users from safety_incidents where user_id = any(?::uuid[])`,
    [`{${crisisUsers.join(',')}}`],
  );
  expect('incidents of the crisis calls (rows, users)', [inc!.n, inc!.users], [crisisUsers.length, crisisUsers.length]);

  // Twilio: each first text ends delivered or undelivered whatever order its callbacks came in; an
  // undelivered one moved its outreach on to the second contact at once, exactly once.
  const attempts = await q<{
    id: string;
    incident_id: string;
    step: string;
    success: boolean;
    delivery_status: string | null;
    error_message: string | null;
  }>(
    `select l.id, l.contact_metadata ->> 'incident_id' as incident_id, l.contact_metadata ->> 'step' as step, l.success, l.contact_metadata ->> 'delivery_status' as delivery_status, l.error_message
       from contact_logs l join safety_incidents i on i.id = (l.contact_metadata ->> 'incident_id')::uuid where i.user_id = any(?::uuid[])`,
    [`{${x.world.alertUsers.join(',')}}`],
  );
  const firstTexts = attempts.filter((a) => a.step === '0');
  let wrongTexts = 0;
  for (const a of firstTexts) {
    const bad = x.undelivered.has(a.id);
    const ok = bad
      ? !a.success && a.delivery_status === 'undelivered' && a.error_message === 'twilio undelivered code 30003'
      : a.success && a.delivery_status === 'delivered';
    const next = attempts.filter((b) => b.incident_id === a.incident_id && b.step === '1').length;
    if (!ok || next !== (bad ? 1 : 0)) {
      wrongTexts += 1;
      if (wrongTexts === 1) problems.push(`e.g. ${JSON.stringify({ ...a, undelivered: bad, nextSteps: next })}`);
    }
  }
  expect('first texts (attempts)', firstTexts.length, x.world.alertUsers.length);
  expect('first texts with a wrong final status or next step', wrongTexts, 0);
  const early = new Set(firstTexts.map((a) => outboxJobId(safetyEscalate, `${a.incident_id}:1:after-undelivered`)));
  const [moved] = await q<{ n: number }>(`select count(*)::int as n from outbox_jobs where id = any(?::uuid[])`, [
    `{${[...early].join(',')}}`,
  ]);
  expect('escalations after an undelivered text', moved!.n, x.undelivered.size);
  const secondTexts = x.texts.filter((to) => x.world.secondContacts.includes(to));
  expect(
    'texts to second contacts (total, distinct)',
    [secondTexts.length, new Set(secondTexts).size],
    [x.undelivered.size, x.undelivered.size],
  );

  return {
    problems,
    figures: {
      usersSynced: users.filter((u) => !u.deleted_at).length,
      usersDeleted: users.filter((u) => u.deleted_at).length,
      syncLogs: syncLogs.length,
      webhookEvents: stored.length,
      callSummaries: rows.reduce((n, r) => n + r.summaries, 0),
      secondTexts: secondTexts.length,
      refused: refused.length,
    },
  };
}

/** Raw query results carry timestamps as strings or Dates; compare instants. */
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

const tally = (keys: (string | number)[]) =>
  keys.reduce<Record<string, number>>((t, k) => {
    t[k] = (t[k] ?? 0) + 1;
    return t;
  }, {});

/** [distinct keys seen 0 times, keys seen 2+ times] in `seen`, for the `expected` keys (each should be seen once). */
function countsOff(expected: string[], seen: string[]): [number, number] {
  const t = tally(seen);
  return [expected.filter((k) => !t[k]).length, expected.filter((k) => (t[k] ?? 0) > 1).length];
}
