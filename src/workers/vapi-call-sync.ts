// Applies Vapi's own record of calls that have been in flight too long: a lost end-of-call report must not
// mean a call without its summary, crisis check or schedule response. Each call is applied in its own
// transaction with the row locked, exactly like a report (same idempotent effects); a later report is a no-op.
import { VoiceCall } from '../entities/voice-call.entity.ts';
import { IN_FLIGHT } from '../domain/call-lifecycle.ts';
import { describeError } from '../lib/errors.ts';
import { relayCommitted } from '../queues/outbox-writer.ts';
import type { Payload } from '../queues/define-job.ts';
import { vapiCallSync } from '../queues/vapi-call-sync.ts';
import { register, type JobContext } from './context.ts';
import { applyEndOfCallReport } from './call-report.ts';
import { lockCallRow } from './vapi-webhook.ts';
import { defaultVoiceDeps, type VoiceDeps } from './voice-deps.ts';

/** Longer than a call normally lasts with its report delivered (Vapi's default max duration is 10 minutes). */
export const STALE_AFTER_MS = 30 * 60_000;
const BATCH = 50;

export async function processVapiCallSync(_p: Payload<typeof vapiCallSync>, ctx: JobContext, deps: VoiceDeps) {
  const stale = await ctx.em.find(
    VoiceCall,
    {
      status: { $in: [...IN_FLIGHT] },
      vapiCallId: { $ne: null },
      createdAt: { $lt: new Date(deps.now().getTime() - STALE_AFTER_MS) },
    },
    { orderBy: { createdAt: 'asc' }, limit: BATCH },
  );
  let ended = 0;
  let failed = 0;
  for (const { id, vapiCallId } of stale) {
    try {
      const remote = await deps.vapi.getCall(vapiCallId!);
      if (remote.status !== 'ended') continue;
      const applied = await ctx.em.fork().transactional(async (tx) => {
        const call = await tx.findOne(VoiceCall, { id, status: { $in: [...IN_FLIGHT] } }, lockCallRow);
        return call
          ? applyEndOfCallReport(tx, call, { ...remote, type: 'end-of-call-report', call: remote }, deps)
          : null;
      });
      await relayCommitted(ctx.em, ctx.producer, applied?.followUps ?? []);
      if (applied) ended += 1;
    } catch (err) {
      failed += 1; // the next run tries again; one bad call must not stop the others
      ctx.log.warn({ voiceCallId: id, error: describeError(err) }, 'could not sync a stale call');
    }
  }
  return { checked: stale.length, ended, failed };
}

export const vapiCallSyncRegistration = (deps: () => VoiceDeps = defaultVoiceDeps) =>
  register(vapiCallSync, (p, ctx) => processVapiCallSync(p, ctx, deps()));
