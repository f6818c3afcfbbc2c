// `npm run demo`: one user through the whole product, against the running local platform (`npm run demo:platform`,
// which is `npm start` plus demo/platform.env). It starts the stand-ins the platform is pointed at (a Twilio
// Messages API and an SMTP server that keep what they get, a Vapi API), then only uses public HTTP APIs, and
// prints each step: what was written, and where to see it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { DEV_ADMIN_TOKEN } from '../src/config.ts';
import { callMessages, FakeVapi } from '../test/support/fake-vapi.ts';
import { startFakeTwilio } from '../test/support/fake-twilio.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';

// The platform's settings for the sinks: demo/platform.env, overridden by the environment (as `node --env-file`).
const env: Record<string, string | undefined> = {
  ...parseEnv(readFileSync(new URL('platform.env', import.meta.url), 'utf8')),
  ...process.env,
};
const BASE = env.HEARTH_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`;
const ADMIN_TOKEN = env.ADMIN_TOKEN || DEV_ADMIN_TOKEN;
const BOARD = `${BASE}/admin/queues/queue`;
const portOf = (url: string | undefined) => Number(new URL(url ?? 'http://x:0').port);
const PSQL = `psql ${(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hearth').replace(/\?.*$/, '')} -c`;

let stepNo = 0;
const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (title: string) => say(`\n${++stepNo}. ${title}`);
const wrote = (what: string) => say(`   wrote:  ${what}`);
const see = (where: string) => say(`   see:    ${where}`);
const fail = (message: string): never => {
  process.stderr.write(`\ndemo: ${message}\n`);
  process.exit(1);
};

/** Polls `check` until it returns something, with one progress line (rewritten in place on a terminal). */
async function waitFor<T>(label: string, check: () => Promise<T | undefined | null | false>, timeoutS = 120) {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  if (!tty) say(`   … waiting for ${label}`);
  for (;;) {
    const value = await check();
    const seconds = Math.round((Date.now() - started) / 1000);
    if (value) {
      if (tty) process.stdout.write('\r\x1b[2K');
      say(`   ✓ ${label} (${seconds} s)`);
      return value;
    }
    if (seconds > timeoutS) fail(`gave up waiting for ${label} after ${timeoutS} s`);
    if (tty) process.stdout.write(`\r\x1b[2K   … waiting for ${label} (${seconds} s)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** The call must answer one of `ok`; anything else stops the tour with the platform's own error. */
async function expectApi<T = Record<string, unknown>>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  ok = [200, 201, 202],
): Promise<T> {
  const res = await api<T>(method, path, token, body);
  if (!ok.includes(res.status)) fail(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const mailHeader = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim();

async function main() {
  say(`Hearth, a guided run against ${BASE}`);
  const health = await fetch(`${BASE}/readyz`).catch(() => null);
  if (!health?.ok) fail(`no platform answers at ${BASE}/readyz: start it with \`npm run demo:platform\` first`);

  // The stand-ins, on the ports the platform was told (demo/platform.env).
  const twilio = await startFakeTwilio(portOf(env.TWILIO_BASE_URL));
  const smtp = await startSmtpSink(portOf(env.SMTP_URL));
  const vapi = await new FakeVapi().start(portOf(env.VAPI_BASE_URL));
  say(
    `Started local sinks: Twilio-compatible SMS API ${twilio.url}, SMTP ${smtp.url.replace(/\?.*/, '')}, Vapi ${vapi.url}`,
  );

  try {
    // 1. Sync: a local identity, made as user sync makes users from Supabase Auth.
    step('Sign-up and user sync (npm run dev:token)');
    const email = `demo-${Date.now().toString(36)}@example.com`;
    const phone = '+14155550123';
    const devToken = spawnSync(process.execPath, ['src/dev/token.ts', email, '--phone', phone], {
      env: { ...process.env, NODE_ENV: env.NODE_ENV ?? 'development' },
      encoding: 'utf8',
    });
    if (devToken.status !== 0) fail(`npm run dev:token failed: ${devToken.stderr.trim()}`);
    const token = devToken.stdout.trim().split('\n').at(-1)!;
    const me = await expectApi<{ id: string; synced: boolean }>('GET', '/v1/me', token);
    wrote(
      `users ${me.id} (${email}, phone ${phone} confirmed), user_privacy_settings, user_service_profiles (chat), a user_sync_logs row`,
    );
    see(`${PSQL} "select id, email, created_at from users where id = '${me.id}'"`);

    // 2. A conversation with a memory worth keeping.
    step('A conversation with something worth remembering');
    const conversation = await expectApi<{ id: string }>('POST', '/v1/conversations', token, { title: 'First chat' });
    const said = 'I work as a night nurse, and I started seeing a therapist last month.';
    const posted = await expectApi<{ message_id: string; job_id: string }>(
      'POST',
      `/v1/conversations/${conversation.id}/messages`,
      token,
      { role: 'user', content: said },
    );
    say(`   said:   "${said}"`);
    wrote(`conversations ${conversation.id}, messages ${posted.message_id}, a memory-extraction job ${posted.job_id}`);
    const memories = await waitFor('the memory-extraction job to keep a memory', async () => {
      const { memories } = await expectApi<{
        memories: { content: string; memory_type: string; storage_type: string }[];
      }>('GET', '/v1/memories', token);
      return memories.length > 0 && memories;
    });
    for (const m of memories) say(`   memory: [${m.memory_type}, ${m.storage_type}] "${m.content}"`);
    see(`${BOARD}/memory-extraction?status=completed (user admin, password ${ADMIN_TOKEN})`);
    see(
      `${PSQL} "select memory_type, significance_level, composite_score from memory_items where user_id = '${me.id}'"`,
    );

    // 3. A message in crisis: the safety network is reached, first by SMS, then by email.
    step('Two safety contacts, then a message in crisis');
    const sms = await expectApi<{ id: string }>('POST', '/v1/safety-contacts', token, {
      external_first_name: 'Maya',
      relationship_type: 'family',
      external_phone_number: '+14155550142',
      allowed_communication_methods: ['sms'],
      is_emergency_contact: true,
    });
    const mail = await expectApi<{ id: string }>('POST', '/v1/safety-contacts', token, {
      external_first_name: 'Sam',
      relationship_type: 'friend',
      external_email: 'sam@example.com',
      allowed_communication_methods: ['email'],
    });
    wrote(`safety_contacts ${sms.id} (Maya, SMS, first) and ${mail.id} (Sam, email, second)`);
    const crisis = "I can't do this anymore, I'm going to kill myself tonight.";
    await expectApi('POST', `/v1/conversations/${conversation.id}/messages`, token, { role: 'user', content: crisis });
    say(`   said:   "${crisis}"`);
    const text = await waitFor('an SMS to Maya at the Twilio sink', async () =>
      twilio.requests.find((r) => r.form.To === '+14155550142'),
    );
    say(`   SMS to ${text.form.To} from ${text.form.From}: "${text.form.Body}"`);
    const letter = await waitFor(
      `an email to Sam at the SMTP sink (after OUTREACH_ESCALATE_MINUTES=${env.OUTREACH_ESCALATE_MINUTES})`,
      async () => smtp.mails.find((m) => m.to.includes('sam@example.com')),
    );
    say(`   email to ${letter.to.join(', ')}: "${mailHeader(letter.raw, 'Subject')}"`);
    wrote(
      'safety_incidents (open, critical), contact_logs (one per attempt), safety-outreach and safety-escalate jobs',
    );
    see(`${BOARD}/safety-escalate?status=completed`);
    see(`${PSQL} "select status, crisis_level, current_step from safety_incidents where user_id = '${me.id}'"`);

    // 4. A schedule whose check-up fires: daily, at the next whole minute at least 20 s away.
    step('A daily check-up, due in a minute');
    const due = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
    const schedule = await expectApi<{ id: string; next_run_at: string }>('POST', '/v1/schedules', token, {
      name: 'Evening check-in',
      schedule_type: 'chat',
      cron_expression: `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`,
      timezone: 'UTC',
      reminder_method: 'in_app',
    });
    wrote(`schedules ${schedule.id}, next run ${schedule.next_run_at}`);
    const execution = await waitFor(
      'the clock to fire it and the check-up job to send it',
      async () => {
        const { items } = await expectApi<{ items: { status: string; executed_at: string }[] }>(
          'GET',
          `/v1/schedules/${schedule.id}/executions`,
          token,
        );
        // The row is written 'pending' first; the check-up job settles it a moment later.
        const first = items.at(0);
        return first && first.status !== 'pending' ? first : undefined;
      },
      150,
    );
    say(`   check-up: ${execution.status}, executed at ${execution.executed_at}`);
    see(`${BOARD}/schedule-run?status=completed`);
    see(`${PSQL} "select status, executed_at from schedule_executions where schedule_id = '${schedule.id}'"`);

    // 5. A voice call, placed at the Vapi stand-in, reported back through the webhook.
    step('A voice call (Vapi stand-in) and its webhook');
    const assistant = 'asst_demo_companion';
    await expectApi('PUT', `/admin/api/voices/${assistant}`, ADMIN_TOKEN, { name: 'Juniper', description: 'calm' });
    const call = await expectApi<{ id: string }>('POST', '/v1/calls', token, { assistant_id: assistant });
    wrote(`voices ${assistant}, voice_calls ${call.id} (queued), a vapi-call job`);
    const placed = await waitFor('the vapi-call job to place the call at Vapi', async () =>
      vapi.callsFor(call.id).at(0),
    );
    const messages = callMessages(placed);
    vapi.finish(placed.id, messages);
    for (const body of [messages.inProgress, messages.report]) {
      const res = await fetch(`${BASE}/webhooks/vapi`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vapi-secret': env.VAPI_WEBHOOK_SECRET ?? '' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) fail(`POST /webhooks/vapi answered ${res.status}: ${await res.text()}`);
    }
    say('   Vapi posted: status-update (in-progress), end-of-call-report');
    const ended = await waitFor('the vapi-webhook jobs to apply the report', async () => {
      const view = await expectApi<{ status: string; summary: unknown }>('GET', `/v1/calls/${call.id}`, token);
      return view.status === 'ended' && view.summary && view;
    });
    say(`   call:   ${JSON.stringify(ended)}`);
    see(`${BOARD}/vapi-webhook?status=completed`);
    see(`${PSQL} "select status, ended_reason, cost_total from voice_calls where id = '${call.id}'"`);

    // 6. Export, then erasure.
    step('Export everything, then erase the account');
    const { export_id } = await expectApi<{ export_id: string }>('POST', '/v1/me/export', token);
    wrote(`user_exports ${export_id}, a user-export job`);
    const exported = await waitFor('the user-export job', async () => {
      const res = await api<{ tables?: Record<string, unknown[]> }>('GET', `/v1/me/export/${export_id}`, token);
      return res.status === 200 && res.body;
    });
    const tables = Object.entries(exported.tables ?? {}).filter(([, rows]) => rows.length > 0);
    say(`   export: ${tables.map(([name, rows]) => `${name} ${rows.length}`).join(', ')}`);
    const erasedAfter = new Date().toISOString();
    await expectApi('DELETE', '/v1/me', token);
    const refused = await api('GET', '/v1/me', token);
    say(`   GET /v1/me now answers ${refused.status}: access ends at once`);
    const erasure = await waitFor('the user-erasure job', async () => {
      const { events } = await expectApi<{ events: { created_at: string; event_data: Record<string, unknown> }[] }>(
        'GET',
        '/admin/api/events?type=erasure_completed&limit=20',
        ADMIN_TOKEN,
      );
      return events.find((e) => e.created_at >= erasedAfter);
    });
    wrote(
      `the users row and every row it owns are gone; system_events keep tombstone ${erasure.event_data.erased_user}`,
    );
    see(`${PSQL} "select count(*) from users where id = '${me.id}'"   (0)`);

    say('\nDone: every step above went through the public API and the local sinks; nothing left this machine.');
  } finally {
    await Promise.all([twilio.close(), smtp.close(), vapi.stop()]);
  }
}

await main();
