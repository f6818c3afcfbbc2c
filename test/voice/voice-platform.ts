// The voice tests' platform: the real API (listening, so the fake Vapi can post to it), the voice workers
// wired to a fake Vapi on 127.0.0.1, and helpers to make rows and post webhooks.
import type { Worker } from 'bullmq';
import { startWeb, type WebServer } from '../../src/api/server.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import type { User } from '../../src/entities/user.entity.ts';
import type { Voice } from '../../src/entities/voice.entity.ts';
import { enqueueInTransaction } from '../../src/queues/producer.ts';
import { relayNow } from '../../src/queues/outbox-relay.ts';
import { vapiCall, type CALL_PURPOSES } from '../../src/queues/vapi-call.ts';
import { vapiCallRegistration } from '../../src/workers/vapi-call.ts';
import { vapiWebhookRegistration } from '../../src/workers/vapi-webhook.ts';
import { voiceDeps } from '../../src/workers/voice-deps.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { FAKE_VAPI_KEY, FakeVapi } from '../support/fake-vapi.ts';

export const WEBHOOK_SECRET = 'test-vapi-webhook-secret-123';
export const HMAC_SECRET = 'test-vapi-hmac-secret-4567890';
export const PHONE_NUMBER_ID = 'pn_fake_caller';

export interface VoicePlatform extends TestPlatform {
  vapi: FakeVapi;
  web: WebServer;
  workers: Worker[];
  webhookUrl: string;
  /** Writes a queued voice_calls row and its durable vapi-call job, as POST /v1/calls does. */
  requestCall(
    user: User,
    voice: Voice,
    opts?: { purpose?: (typeof CALL_PURPOSES)[number]; scheduleExecutionId?: string | null },
  ): Promise<VoiceCall>;
  postWebhook(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export async function createVoicePlatform(
  env: Record<string, string> = {},
  opts: { workers?: boolean } = {},
): Promise<VoicePlatform> {
  const vapi = await new FakeVapi().start();
  const platform = await createTestPlatform({
    VAPI_BASE_URL: vapi.url,
    VAPI_API_KEY: FAKE_VAPI_KEY,
    VAPI_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
    VAPI_WEBHOOK_HMAC_SECRET: HMAC_SECRET,
    VAPI_TIMEOUT_MS: '2000',
    ...env,
  });
  const deps = voiceDeps(platform.config);
  const runtime =
    opts.workers === false
      ? undefined
      : platform.startWorkers([vapiCallRegistration(() => deps), vapiWebhookRegistration(() => deps)]);
  const web = await startWeb(
    { config: platform.config, orm: platform.orm, producer: platform.producer, log: platform.log },
    0,
  );
  const webhookUrl = `http://127.0.0.1:${web.port}/webhooks/vapi`;
  return {
    ...platform,
    vapi,
    web,
    webhookUrl,
    workers: runtime?.workers ?? [],
    async requestCall(user, voice, { purpose = 'user_request', scheduleExecutionId = null } = {}) {
      const em = platform.orm.em.fork();
      const call = em.create(VoiceCall, {
        user,
        voice,
        channel: 'outbound_phone',
        phoneNumber: '+15555550123',
        status: 'queued',
      });
      const row = enqueueInTransaction(
        em,
        vapiCall,
        { voice_call_id: call.id, purpose, schedule_execution_id: scheduleExecutionId },
        { jobKey: call.id },
      );
      await em.flush();
      await relayNow(em, platform.producer, row);
      return call;
    },
    postWebhook(body, headers = { 'x-vapi-secret': WEBHOOK_SECRET }) {
      return fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async stop() {
      await web.stop();
      await platform.close();
      await vapi.stop();
    },
  };
}
