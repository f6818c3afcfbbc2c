// After a whole call whose messages carry a transcript, message lists and recording URLs, no trace of the
// conversation is anywhere in the database: every text and jsonb column of every table is scanned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceCall } from '../../src/entities/voice-call.entity.ts';
import { WebhookEvent } from '../../src/entities/webhook-event.entity.ts';
import { eventually } from '../support/platform.ts';
import { callMessages, TRANSCRIPT_MARKER } from '../support/fake-vapi.ts';
import { makeUser, makeVoice } from '../entities/fixtures.ts';
import { createVoicePlatform, type VoicePlatform } from './voice-platform.ts';

let p: VoicePlatform;
beforeAll(async () => {
  p = await createVoicePlatform();
});
afterAll(() => p.stop());

/** Rows of any table whose text/jsonb/varchar columns contain `needle`, found through the ORM metadata. */
async function rowsContaining(needle: string): Promise<{ table: string; column: string; count: number }[]> {
  const hits = [];
  const conn = p.orm.em.getConnection();
  for (const meta of p.orm.getMetadata().getAll().values()) {
    if (!meta.tableName || meta.embeddable) continue;
    for (const prop of Object.values(meta.properties)) {
      const types = (prop.columnTypes ?? []).map((t) => t.toLowerCase());
      if (!types.some((t) => /text|json|char/.test(t))) continue;
      for (const column of prop.fieldNames ?? []) {
        const [row] = await conn.execute(
          `select count(*)::int as n from "${meta.tableName}" where "${column}"::text like ?`,
          [`%${needle}%`],
        );
        if ((row?.n ?? 0) > 0) hits.push({ table: meta.tableName, column, count: row!.n });
      }
    }
  }
  return hits;
}

describe('no transcript survives', () => {
  it('a full call with transcripts in every message leaves none in any table', async () => {
    const em = p.orm.em.fork();
    const call = await p.requestCall(await makeUser(em), await makeVoice(em));
    const row = await eventually(async () => (await p.orm.em.fork().findOneOrFail(VoiceCall, call.id)).vapiCallId);
    const vapiCall = p.vapi.calls.get(row)!;
    const m = callMessages(vapiCall, { summary: 'Summary-marker-5512: the user felt better.' });
    p.vapi.finish(vapiCall.id, m);
    const extra = [
      {
        message: {
          type: 'transcript',
          role: 'user',
          transcriptType: 'final',
          transcript: `I said ${TRANSCRIPT_MARKER}`,
          call: vapiCall,
        },
      },
      {
        message: {
          type: 'conversation-update',
          messages: [{ role: 'user', message: TRANSCRIPT_MARKER }],
          messagesOpenAIFormatted: [{ role: 'user', content: TRANSCRIPT_MARKER }],
          call: vapiCall,
        },
      },
    ];
    for (const body of [m.ringing, m.inProgress, ...extra, m.endedStatus, m.report])
      expect((await p.postWebhook(body)).status).toBe(200);
    await eventually(async () => {
      const events = await p.orm.em.fork().find(WebhookEvent, { vapiCallId: vapiCall.id });
      return events.length === 6 && events.every((e) => ['processed', 'skipped'].includes(e.processingStatus));
    });
    expect((await p.orm.em.fork().findOneOrFail(VoiceCall, call.id)).status).toBe('ended');

    expect(await rowsContaining(TRANSCRIPT_MARKER)).toEqual([]);
    expect(await rowsContaining('storage.vapi.ai')).toEqual([]); // recording URLs
    // The scan does find what is meant to be kept (so it can fail): the summary, in the summary row only (the
    // stored event kept it until it was processed: src/domain/vapi-payload.ts).
    expect((await rowsContaining('Summary-marker-5512')).map((h) => `${h.table}.${h.column}`).sort()).toEqual([
      'call_summaries.summary_json',
    ]);
  });
});
