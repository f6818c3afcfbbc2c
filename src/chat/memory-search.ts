// GET /v1/memories search: ranks a user's active memories for a query (src/domain/retrieval.ts) and marks
// the returned ones accessed. Similarity is computed in the app (no pgvector on our servers), so the
// embeddings of a user's memories are cached in this process as Float32Arrays, keyed by memory id and
// updated_at: each search reads only the small columns of the user's active rows (id, scores, times) and
// fetches the vectors of rows that are new or changed since. A cold user costs one read of their vectors.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmbeddingProvider } from '../domain/embedding.ts';
import type { MemoryType } from '../domain/enums.ts';
import { rankMemories } from '../domain/retrieval.ts';
import { MemoryItem } from '../entities/memory-item.entity.ts';

interface CachedVector {
  updatedAt: number;
  vector: Float32Array | null;
}

export interface MemorySearchOptions {
  query?: string | undefined;
  type?: MemoryType | undefined;
  limit: number;
  halfLifeDays: number;
}

/** Users whose vectors stay cached (least recently searched are dropped first). */
const MAX_CACHED_USERS = 200;

export class MemorySearch {
  readonly #cache = new Map<string, Map<string, CachedVector>>();
  readonly #embedder: EmbeddingProvider;

  constructor(embedder: EmbeddingProvider) {
    this.#embedder = embedder;
  }

  async search(em: EntityManager, userId: string, opts: MemorySearchOptions) {
    const conn = em.getConnection();
    // One row of four arrays, with times as epoch milliseconds: for 5,000 memories this is several times
    // cheaper to transfer and parse than 5,000 rows of Dates.
    const [agg] = (await conn.execute(
      `select coalesce(array_agg(id), '{}') as ids, coalesce(array_agg(extract(epoch from updated_at) * 1000), '{}')::float8[] as updated,
              coalesce(array_agg(composite_score), '{}')::float8[] as composite,
              coalesce(array_agg(extract(epoch from coalesce(last_accessed_at, updated_at)) * 1000), '{}')::float8[] as touched
         from memory_items where user_id = ? and is_active and not is_archived ${opts.type ? 'and memory_type = ?' : ''}`,
      opts.type ? [userId, opts.type] : [userId],
    )) as { ids: string[]; updated: number[]; composite: (number | null)[]; touched: number[] }[];
    const rows = agg!.ids.map((id, i) => ({ id, updated_ms: agg!.updated[i]!, composite_score: agg!.composite[i] ?? null, touched_ms: agg!.touched[i]! }));
    const vectors = opts.query ? await this.#vectors(em, userId, rows) : undefined;
    const query = opts.query ? Float32Array.from((await this.#embedder.embed([opts.query]))[0]!) : null;
    const ranked = rankMemories(
      query,
      rows.map((r) => ({ id: r.id, embedding: vectors?.get(r.id)?.vector ?? null, compositeScore: r.composite_score, touchedAt: new Date(r.touched_ms) })),
      new Date(),
      { limit: opts.limit, halfLifeDays: opts.halfLifeDays },
    );
    if (ranked.length === 0) return [];
    const ids = ranked.map((r) => r.id);
    // Retrieval is an access (the recency in the next ranking); updated_at is left alone (it means "content changed").
    const [memories] = await Promise.all([
      em.find(MemoryItem, { id: { $in: ids } }, { exclude: ['embedding'] }),
      conn.execute('update memory_items set last_accessed_at = now() where id in (?)', [ids]),
    ]);
    const byId = new Map(memories.map((m) => [m.id, m]));
    return ranked.flatMap((r) => (byId.has(r.id) ? [{ memory: byId.get(r.id)!, score: r.score }] : []));
  }

  async #vectors(em: EntityManager, userId: string, rows: readonly { id: string; updated_ms: number }[]) {
    let cached = this.#cache.get(userId);
    this.#cache.delete(userId); // re-inserted below: Map order is the LRU order
    cached ??= new Map();
    const stale = rows.filter((r) => cached.get(r.id)?.updatedAt !== r.updated_ms).map((r) => r.id);
    for (let i = 0; i < stale.length; i += 1000) {
      const batch: { id: string; updated_ms: number; embedding: number[] | null }[] = await em
        .getConnection()
        .execute('select id, (extract(epoch from updated_at) * 1000)::float8 as updated_ms, embedding from memory_items where id in (?)', [stale.slice(i, i + 1000)]);
      for (const r of batch) cached.set(r.id, { updatedAt: r.updated_ms, vector: r.embedding ? Float32Array.from(r.embedding) : null });
    }
    const live = new Set(rows.map((r) => r.id));
    for (const id of cached.keys()) if (!live.has(id)) cached.delete(id);
    this.#cache.set(userId, cached);
    if (this.#cache.size > MAX_CACHED_USERS) this.#cache.delete(this.#cache.keys().next().value!);
    return cached;
  }

  /** Forget one user's cached vectors (after a delete, say); the next search reloads what changed anyway. */
  forget(userId: string) {
    this.#cache.delete(userId);
  }
}
