// vapi-webhook jobs the way Vapi makes them: POST /webhooks/vapi with the fake Vapi's server messages
// (test/support/fake-vapi.ts) for calls we placed: ringing, in-progress, ended, then the end-of-call
// report, in order per call, many calls at once. Every other report lacks the cost breakdown, so its job
// fetches it from the fake Vapi (GET /call/{id}), as a real report without one does.
import { randomUUID } from 'node:crypto';
import { CallSummary } from '../../src/entities/call-summary.entity.ts';
import { User } from '../../src/entities/user.entity.ts';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { Voice } from '../../src/entities/voice.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { vapiWebhook } from '../../src/queues/vapi-webhook.ts';
import { callMessages, type FakeCall, type FakeVapi } from '../../test/support/fake-vapi.ts';
import { expectCount, inLanes, type Scenario } from './scenario.ts';

const MESSAGES_PER_CALL = 4;
const SENDERS = 16;

export function vapiWebhookScenario(vapi: FakeVapi, secret: string): Scenario {
  return {
    job: vapiWebhook,
    describe: `POST /webhooks/vapi (${MESSAGES_PER_CALL} messages per call)`,
    async produce({ orm, app }, n) {
      const calls = Math.max(1, Math.round(n / MESSAGES_PER_CALL));
      const em = orm.em.fork();
      const voice = em.create(Voice, { name: 'Bench', assistantId: `asst_bench_${randomUUID().slice(0, 8)}` });
      const placed = Array.from({ length: calls }, () => {
        const row = em.create(VoiceCall, {
          user: em.create(User, { id: randomUUID() }),
          voice,
          channel: 'outbound_phone',
          phoneNumber: '+15555550100',
          vapiCallId: randomUUID(),
          status: 'queued',
        });
        const now = new Date().toISOString();
        // Vapi's copy of the call, as its POST /call would have made it.
        const call: FakeCall = {
          id: row.vapiCallId!,
          orgId: 'org_bench',
          type: 'outboundPhoneCall',
          status: 'queued',
          assistantId: voice.assistantId,
          phoneNumberId: 'pn_bench',
          customer: { number: row.phoneNumber!, externalId: row.id },
          assistantOverrides: { metadata: { voice_call_id: row.id } },
          createdAt: now,
          updatedAt: now,
        };
        vapi.calls.set(call.id, call);
        return { row, call };
      });
      await em.flush();
      await inLanes(calls, SENDERS, async (i) => {
        const { call } = placed[i]!;
        const m = callMessages(call, { breakdownInReport: i % 2 === 0 });
        vapi.finish(call.id, m);
        for (const body of [m.ringing, m.inProgress, m.endedStatus, m.report]) {
          const res = await app.request('/webhooks/vapi', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-vapi-secret': secret },
            body: JSON.stringify(body),
          });
          if (res.status !== 200) throw new Error(`POST /webhooks/vapi: ${res.status} ${await res.text()}`);
        }
      });
      const rowIds = placed.map((p) => p.row.id);
      const vapiIds = placed.map((p) => p.call.id);
      return {
        jobs: calls * MESSAGES_PER_CALL,
        async verify(vem) {
          const events = await vem.find(
            WebhookEvent,
            { vapiCallId: { $in: vapiIds } },
            { fields: ['processingStatus'] },
          );
          return [
            ...expectCount('webhook_events stored', events.length, calls * MESSAGES_PER_CALL),
            ...expectCount(
              'webhook_events processed',
              events.filter((e) => e.processingStatus === 'processed').length,
              calls * MESSAGES_PER_CALL,
            ),
            ...expectCount(
              'calls ended with their cost breakdown',
              await vem.count(VoiceCall, { id: { $in: rowIds }, status: 'ended', costBreakdown: { $ne: null } }),
              calls,
            ),
            ...expectCount('call_summaries rows', await vem.count(CallSummary, { call: { $in: rowIds } }), calls),
          ];
        },
      };
    },
  };
}
