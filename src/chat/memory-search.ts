// GET /v1/memories search: ranks a user's active memories for a query (src/domain/retrieval.ts) and marks
// the returned ones accessed. Similarity is computed in the app (no pgvector on our servers), so this API
// process keeps an index per user: each active memory's id, type, scores, times and embedding (Float32Array).
// Every search first asks PostgreSQL for a one-row version of the user's active set (count, sum and max of
// updated_at): any insert, delete, archive, reinforcement or edit changes it, and only then is the index
// re-read (small columns in one aggregated row; vectors only for rows that are new or changed since).
// Accesses are applied to the index as they are made; accesses through another API process show in this
// one's recency at its next reload (a ranking nuance, never a wrong or missing memory).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmbeddingProvider } from '../domain/embedding.ts';
import type { MemoryType } from '../domain/enums.ts';
import { rankMemories } from '../domain/retrieval.ts';
import { MemoryItem } from '../entities/memory-item.entity.ts';

interface IndexedMemory {
  id: string;
  type: MemoryType;
  updatedMs: number;
  compositeScore: number | null;
  touchedMs: number;
  vector: Float32Array | null;
}

interface UserIndex {
  version: string;
  memories: IndexedMemory[];
}

export interface MemorySearchOptions {
  query?: string | undefined;
  type?: MemoryType | undefined;
  limit: number;
  halfLifeDays: number;
}

/** Users whose index stays in memory (the least recently searched are dropped first). */
const MAX_CACHED_USERS = 200;
const ACTIVE = 'user_id = ? and is_active and not is_archived';
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

export class MemorySearch {
  readonly #cache = new Map<string, UserIndex>();
  readonly #embedder: EmbeddingProvider;

  constructor(embedder: EmbeddingProvider) {
    this.#embedder = embedder;
  }

  async search(em: EntityManager, userId: string, opts: MemorySearchOptions) {
    const [index, query] = await Promise.all([
      this.#index(em, userId),
      opts.query ? this.#embedder.embed([opts.query]).then(([v]) => Float32Array.from(v!)) : null,
    ]);
    const candidates = opts.type ? index.filter((m) => m.type === opts.type) : index;
    const ranked = rankMemories(
      query,
      candidates.map((m) => ({
        id: m.id,
        embedding: m.vector,
        compositeScore: m.compositeScore,
        touchedAt: new Date(m.touchedMs),
      })),
      new Date(),
      { limit: opts.limit, halfLifeDays: opts.halfLifeDays },
    );
    if (ranked.length === 0) return [];
    const ids = ranked.map((r) => r.id);
    // Retrieval is an access (the recency in the next ranking); updated_at is left alone (it means "content changed").
    const [memories] = await Promise.all([
      em.find(MemoryItem, { id: { $in: ids } }, { exclude: ['embedding'] }),
      em.getConnection().execute('update memory_items set last_accessed_at = now() where id in (?)', [ids]),
    ]);
    const now = Date.now();
    for (const m of index) if (ids.includes(m.id)) m.touchedMs = now;
    const byId = new Map(memories.map((m) => [m.id, m]));
    return ranked.flatMap((r) => (byId.has(r.id) ? [{ memory: byId.get(r.id)!, score: r.score }] : []));
  }

  async #index(em: EntityManager, userId: string): Promise<IndexedMemory[]> {
    const conn = em.getConnection();
    const [v] = (await conn.execute(
      `select count(*)::int as n, coalesce(sum(${epochMs('updated_at')}), 0) as s, coalesce(max(${epochMs('updated_at')}), 0) as m from memory_items where ${ACTIVE}`,
      [userId],
    )) as { n: number; s: number; m: number }[];
    const version = `${v!.n}:${v!.s}:${v!.m}`;
    const cached = this.#cache.get(userId);
    this.#cache.delete(userId); // re-inserted below: Map order is the LRU order
    if (cached?.version === version) {
      this.#cache.set(userId, cached);
      return cached.memories;
    }
    // One row of arrays: for 5,000 memories far cheaper to transfer and parse than 5,000 rows.
    const [agg] = (await conn.execute(
      `select coalesce(array_agg(id), '{}') as ids, coalesce(array_agg(memory_type), '{}') as types,
              coalesce(array_agg(${epochMs('updated_at')}), '{}') as updated, coalesce(array_agg(composite_score), '{}')::float8[] as composite,
              coalesce(array_agg(${epochMs('coalesce(last_accessed_at, updated_at)')}), '{}') as touched
         from memory_items where ${ACTIVE}`,
      [userId],
    )) as { ids: string[]; types: MemoryType[]; updated: number[]; composite: (number | null)[]; touched: number[] }[];
    const previous = new Map(cached?.memories.map((m) => [m.id, m]));
    const memories: IndexedMemory[] = agg!.ids.map((id, i) => {
      const before = previous.get(id);
      const updatedMs = agg!.updated[i]!;
      return {
        id,
        type: agg!.types[i]!,
        updatedMs,
        compositeScore: agg!.composite[i] ?? null,
        touchedMs: agg!.touched[i]!,
        vector: before?.updatedMs === updatedMs ? before.vector : null,
      };
    });
    await this.#loadVectors(
      em,
      memories.filter((m) => !previous.has(m.id) || previous.get(m.id)!.updatedMs !== m.updatedMs),
    );
    this.#cache.set(userId, { version, memories });
    if (this.#cache.size > MAX_CACHED_USERS) this.#cache.delete(this.#cache.keys().next().value!);
    return memories;
  }

  async #loadVectors(em: EntityManager, memories: IndexedMemory[]) {
    for (let i = 0; i < memories.length; i += 1000) {
      const batch = memories.slice(i, i + 1000);
      const rows: { id: string; embedding: number[] | null }[] = await em
        .getConnection()
        .execute('select id, embedding from memory_items where id in (?)', [batch.map((m) => m.id)]);
      const byId = new Map(rows.map((r) => [r.id, r.embedding]));
      for (const m of batch) {
        const embedding = byId.get(m.id);
        m.vector = embedding ? Float32Array.from(embedding) : null;
      }
    }
  }

  /** Drop one user's index (after a delete, say); the version check would catch the change anyway. */
  forget(userId: string) {
    this.#cache.delete(userId);
  }
}
