// memory-extraction: crisis first (committed on its own), then engagement and check-in, then the memory step. See the two step modules
// for what a retry or a duplicate delivery does (nothing, once a step has committed).
import { configuredChatProviders, type ChatProviders } from '../chat/providers.ts';
import type { memoryExtraction } from '../queues/memory-extraction.ts';
import type { Payload } from '../queues/define-job.ts';
import type { JobContext } from './context.ts';
import { runCrisisStep } from './chat-crisis.ts';
import { runActivityStep } from './chat-activity.ts';
import { runMemoryStep } from './chat-memories.ts';

/** A processor bound to providers (tests and the benchmark pass their own). */
export function memoryExtractionProcessor(providers: () => ChatProviders) {
  return async (p: Payload<typeof memoryExtraction>, ctx: JobContext) => {
    const crisis = await runCrisisStep(ctx, p.message_id, providers().crisis);
    if (!crisis) {
      ctx.log.info({ messageId: p.message_id }, 'message gone; nothing to do');
      return { skipped: 'message not found' };
    }
    const engagement = await runActivityStep(ctx, p.message_id, crisis.level);
    const memory = await runMemoryStep(ctx.em, p.message_id, providers());
    ctx.log.info(
      {
        messageId: p.message_id,
        crisisLevel: crisis.level,
        outreachJobId: crisis.outreachJobId,
        ...(memory ?? { alreadyExtracted: true }),
      },
      'message processed',
    );
    return { crisis, engagement, memory };
  };
}

export const processMemoryExtraction = memoryExtractionProcessor(configuredChatProviders);
