// memory-reembed: in batches of BATCH memories (oldest id first), each its own transaction, rows locked
// FOR UPDATE SKIP LOCKED (two runs at once share the work, never redo a row), embed embeddingText(content,
// tags) with the configured provider and write the vector, its model, its length and its compact copy.
// Resumable: a crash or a failed embedding call loses at most the batch in hand; the retry (or the next
// periodic run) selects only the rows still not in the configured model. Rows a batch saw change meanwhile
// are simply embedded from their committed content (the lock holds them while they are written).
import type { EntityManager } from '@mikro-orm/postgresql';
import { configuredChatProviders } from '../chat/providers.ts';
import type { EmbeddingProvider } from '../domain/embedding.ts';
import { embeddingText } from '../domain/memory-tags.ts';
import { vectorColumns } from '../domain/quantized.ts';
import type { JobContext } from './context.ts';

export const REEMBED_BATCH = 100;

/** Re-embeds one batch; returns how many rows it wrote (0 = nothing left). */
async function reembedBatch(em: EntityManager, embedder: EmbeddingProvider): Promise<number> {
  return em.transactional(async (tx) => {
    const rows = (await tx.getConnection().execute(
      `select id, content, tags from memory_items
          where embedding_model is distinct from ?::text or embedding_q is null
          order by id limit ${REEMBED_BATCH} for update skip locked`,
      [embedder.name],
      'all',
      tx.getTransactionContext(),
    )) as { id: string; content: string; tags: string[] }[];
    if (rows.length === 0) return 0;
    const vectors = await embedder.embed(rows.map((r) => embeddingText(r.content, r.tags)));
    for (const [i, row] of rows.entries()) {
      const v = vectorColumns(embedder.name, vectors[i]!);
      await tx.getConnection().execute(
        'update memory_items set embedding = ?::real[], embedding_model = ?, embedding_dimensions = ?, embedding_q = ? where id = ?',
        // The array as a PostgreSQL array literal: a JS array parameter would be expanded into a list.
        [`{${v.embedding.join(',')}}`, v.embeddingModel, v.embeddingDimensions, v.embeddingQ, row.id],
        'run',
        tx.getTransactionContext(),
      );
    }
    return rows.length;
  });
}

export function memoryReembedProcessor(embedder: () => EmbeddingProvider) {
  return async (_: Record<string, never>, ctx: JobContext) => {
    let reembedded = 0;
    for (;;) {
      const n = await reembedBatch(ctx.em, embedder());
      if (n === 0) break;
      reembedded += n;
      ctx.log.info({ reembedded, model: embedder().name }, 'memory-reembed: batch done');
    }
    return { reembedded, model: embedder().name };
  };
}

export const processMemoryReembed = memoryReembedProcessor(() => configuredChatProviders().embedder);
