// Re-processes a user's stored messages and memories under their current PII settings, in batches of
// BATCH rows (each its own transaction, walking ids upwards), so it is resumable; running it twice
// gives the same rows (the redaction is a pure function of the original text and the settings).
// Messages keep their original content (crisis checks read it); what changes is processed_content, the
// text memories and models see. Memories hold processed text, so their content is redacted in place.
import { detectPii, parsePiiPreferences, redactPii } from '../domain/pii.ts';
import { MemoryItem } from '../entities/memory-item.entity.ts';
import { Message } from '../entities/message.entity.ts';
import { UserPrivacySettings } from '../entities/user-privacy-settings.entity.ts';
import type { piiReprocess } from '../queues/pii-reprocess.ts';
import type { Payload } from '../queues/define-job.ts';
import type { JobContext } from './context.ts';

const BATCH = 500;

export async function processPiiReprocess(p: Payload<typeof piiReprocess>, ctx: JobContext) {
  const settings = await ctx.em.findOne(UserPrivacySettings, { user: p.user_id });
  if (!settings) return { skipped: 'no settings' };
  const prefs = parsePiiPreferences(settings.piiHandlingPreferences);
  const anonymize = settings.autoAnonymizePii;
  const processed = (text: string) => (anonymize ? redactPii(text, prefs).text : text);
  let messages = 0;
  let memories = 0;

  for (let after: string | undefined; ; ) {
    const batch = await ctx.em.fork().transactional(async (em) => {
      const rows = await em.find(
        Message,
        { user: p.user_id, role: 'user', ...(after ? { id: { $gt: after } } : {}) },
        { orderBy: { id: 'asc' }, limit: BATCH },
      );
      for (const m of rows)
        Object.assign(m, { processedContent: processed(m.content), piiDetected: detectPii(m.content).kinds });
      return rows.map((r) => r.id);
    });
    messages += batch.length;
    if (batch.length < BATCH) break;
    after = batch.at(-1)!;
  }
  for (let after: string | undefined; ; ) {
    const batch = await ctx.em.fork().transactional(async (em) => {
      const rows = await em.find(
        MemoryItem,
        { user: p.user_id, ...(after ? { id: { $gt: after } } : {}) },
        { orderBy: { id: 'asc' }, limit: BATCH },
      );
      for (const m of rows) {
        const pii = detectPii(m.content);
        Object.assign(m, {
          content: processed(m.content),
          processedContent: processed(m.processedContent ?? m.content),
          anonymizedVersion: redactPii(m.content, {}, pii).text,
          piiDetected: pii.kinds,
        });
      }
      return rows.map((r) => r.id);
    });
    memories += batch.length;
    if (batch.length < BATCH) break;
    after = batch.at(-1)!;
  }
  ctx.log.info({ messages, memories }, 'stored content re-processed under the current PII settings');
  return { messages, memories };
}
