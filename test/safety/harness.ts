// The safety suites' world: a fake Twilio and a real SMTP server on 127.0.0.1, the platform pointed at
// them (workers read the process config, so the environment is set before anything reads it), helpers
// to raise triggers the way chat/voice/alerts do, and to read back incidents and attempts.
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import {
  eventually,
  createTestPlatform,
  jobContext as sharedJobContext,
  type TestPlatform,
} from '../support/platform.ts';
import { registrations } from '../../src/workers/processors.ts';
import { vapiCall } from '../../src/queues/vapi-call.ts';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { SafetyIncident } from '../../src/entities/safety-incident.entity.ts';
import { OutboxJob } from '../../src/entities/outbox-job.entity.ts';
import { enqueueInTransaction, outboxJobId } from '../../src/queues/producer.ts';
import { relayNow } from '../../src/queues/outbox-relay.ts';
import { safetyOutreach } from '../../src/queues/safety-outreach.ts';

export const TWILIO_SID = 'AC00000000000000000000000000000000';
export const TWILIO_TOKEN = 'twilio-test-auth-token';
export const PUBLIC_BASE_URL = 'https://hearth.example.test';
/** Escalation after 3 s: long enough to acknowledge in between on a busy machine. */
export const ESCALATE_MINUTES = 0.05;

export interface SafetyWorld {
  platform: TestPlatform;
  twilio: FakeTwilio;
  smtp: SmtpSink;
  close(): Promise<void>;
}

export async function startSafetyWorld(
  opts: { workers?: boolean; logTo?: DestinationStream } = {},
): Promise<SafetyWorld> {
  const twilio = await startFakeTwilio();
  const smtp = await startSmtpSink();
  Object.assign(process.env, {
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: '+15550001111',
    SMTP_URL: smtp.url,
    PUBLIC_BASE_URL,
    OUTREACH_ESCALATE_MINUTES: String(ESCALATE_MINUTES),
    OUTREACH_DEDUPE_MINUTES: '30',
    VAPI_OUTREACH_ASSISTANT_ID: 'asst_safety_outreach',
  });
  const platform = await createTestPlatform({}, { logTo: opts.logTo });
  // Placing the call is the voice worker's business (test/voice); here a voice step ends at the queued row.
  if (opts.workers !== false) platform.startWorkers(registrations.filter((r) => r.job.name !== vapiCall.name));
  return {
    platform,
    twilio,
    smtp,
    async close() {
      await platform.close();
      await twilio.close();
      await smtp.close();
    },
  };
}

/** A crisis trigger enqueued as the chat/voice paths do: durably, keyed `${trigger}:${source_id}`. */
export async function raiseTrigger(
  platform: TestPlatform,
  userId: string,
  o: { level?: 'high' | 'critical'; trigger?: 'chat_message' | 'voice_call' | 'manual_alert'; sourceId?: string } = {},
) {
  const em = platform.orm.em.fork();
  const payload = {
    user_id: userId,
    trigger: o.trigger ?? 'chat_message',
    source_id: o.sourceId ?? randomUUID(),
    crisis_level: o.level ?? 'high',
    detected_at: new Date().toISOString(),
  } as const;
  const jobKey = `${payload.trigger}:${payload.source_id}`;
  // The same cause twice: its outbox row exists already (the callers check, as enqueueInTransaction asks).
  if (await em.findOne(OutboxJob, outboxJobId(safetyOutreach, jobKey))) return payload;
  const row = enqueueInTransaction(em, safetyOutreach, payload, { jobKey });
  await em.flush();
  await relayNow(em, platform.producer, row);
  return payload;
}

export const incidentsOf = (platform: TestPlatform, userId: string) =>
  platform.orm.em.fork().find(SafetyIncident, { user: userId }, { orderBy: { openedAt: 'asc' } });

export const waitForIncident = (platform: TestPlatform, userId: string) =>
  eventually(async () => (await incidentsOf(platform, userId))[0]);

export const attemptsOf = (platform: TestPlatform, userId: string) =>
  platform.orm.em.fork().find(ContactLog, { user: userId }, { orderBy: { attemptedAt: 'asc' } });

/** A context for calling a processor directly, as a retried job would run it (attempt 2). */
export const jobContext = (platform: TestPlatform, jobId = randomUUID()) =>
  sharedJobContext(platform, 'test', jobId, 2);
