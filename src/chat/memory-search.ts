// GET /v1/memories search: hybrid ranking of a user's active memories for a query (src/domain/retrieval.ts)
// — the query's sentence vector against the memories' vectors, plus PostgreSQL full-text for exact words and
// names — then marks the returned ones accessed.
//
// Vectors are compared in the app (no pgvector on our servers), from an index per user kept by this API
// process: each active memory's id, type, tags, scores, times, and its compact vector (embedding_q: int8,
// 516 bytes at 512 dimensions) packed into one Int8Array. Building it is ONE query that returns one row:
// arrays of the small columns and the user's vectors concatenated into a single bytea (2.5 MB for 5,000
// memories), so a user's first search costs one short read instead of thousands of real[] arrays parsed
// from text. Every search first asks for a one-row version of the active set (count, count of vectors in
// this model, sum and max of updated_at): any insert, delete, archive, reinforcement, edit or re-embed
// changes it, and only then is the index re-read. Accesses are applied to the index as they are made; accesses through another API process show in
// this one's recency at its next reload (a ranking nuance, never a wrong or missing memory).
//
// Only vectors of this process's embedding model are read (embedding_model): mid re-embed, a memory still in
// another model's space has no vector here and can match by its words only.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmbeddingProvider } from '../domain/embedding.ts';
import type { MemoryType } from '../domain/enums.ts';
import { normalizeTag } from '../domain/memory-tags.ts';
import { dotAll, packQuantized, type QuantizedSet } from '../domain/quantized.ts';
import { lexicalShare, rankMemories } from '../domain/retrieval.ts';
import { MemoryItem } from '../entities/memory-item.entity.ts';

interface UserIndex {
  version: string;
  ids: string[];
  types: MemoryType[];
  tags: string[][];
  composite: (number | null)[];
  touchedMs: number[];
  /** Row i of the index → row of `vectors`, or -1 (no vector of this model). */
  vectorRow: Int32Array;
  vectors: QuantizedSet | null;
}

export interface MemorySearchOptions {
  query?: string | undefined;
  type?: MemoryType | undefined;
  tag?: string | undefined;
  limit: number;
  halfLifeDays: number;
}

/** Users whose index stays in memory (the least recently searched are dropped first). */
const MAX_CACHED_USERS = 200;
const ACTIVE = 'user_id = ? and is_active and not is_archived';
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/**
 * The query's lexemes (the same English configuration as memory_items.search_vector) and, for the
 * LEXICAL_ROWS memories holding most of them (the GIN index finds them), their lexemes. A word in
 * thousands of memories ranks them by meaning anyway; the full-text side is for the rare exact word.
 */
const LEXICAL_ROWS = 100;
const LEXICAL_SQL = `
  with q as (select coalesce(array_agg(lexeme), '{}') as lex from unnest(to_tsvector('english', ?::text))),
       tq as (select (select string_agg(quote_literal(l), ' | ') from unnest(q.lex) as l)::tsquery as query, q.lex from q)
  select tq.lex, m.id, tsvector_to_array(m.search_vector) as words
    from tq left join lateral (
      select id, search_vector from memory_items
       where user_id = ? and is_active and not is_archived and cardinality(tq.lex) > 0 and search_vector @@ tq.query
       order by ts_rank(search_vector, tq.query) desc limit ${LEXICAL_ROWS}) m on true`;

export class MemorySearch {
  readonly #cache = new Map<string, UserIndex>();
  readonly #embedder: EmbeddingProvider;

  constructor(embedder: EmbeddingProvider) {
    this.#embedder = embedder;
  }

  async search(em: EntityManager, userId: string, opts: MemorySearchOptions) {
    const [index, query, lexical] = await Promise.all([
      this.#index(em, userId),
      opts.query ? this.#embedder.embed([opts.query]).then(([v]) => v!) : null,
      opts.query ? this.#lexical(em, userId, opts.query) : new Map<string, number>(),
    ]);
    const tag = opts.tag === undefined ? undefined : normalizeTag(opts.tag);
    const similarities =
      query && index.vectors?.dimensions === query.length ? dotAll(query, index.vectors) : new Float32Array(0);
    const candidates = [];
    for (let i = 0; i < index.ids.length; i++) {
      if (opts.type && index.types[i] !== opts.type) continue;
      if (tag !== undefined && !index.tags[i]!.includes(tag)) continue;
      const row = index.vectorRow[i]!;
      candidates.push({
        id: index.ids[i]!,
        similarity: row >= 0 && similarities.length > 0 ? similarities[row]! : 0,
        lexical: lexical.get(index.ids[i]!) ?? 0,
        compositeScore: index.composite[i]!,
        touchedAt: new Date(index.touchedMs[i]!),
      });
    }
    const ranked = rankMemories(!!opts.query, candidates, new Date(), {
      limit: opts.limit,
      halfLifeDays: opts.halfLifeDays,
    });
    if (ranked.length === 0) return [];
    const ids = ranked.map((r) => r.id);
    // Retrieval is an access (the recency in the next ranking); updated_at is left alone (it means "content changed").
    const [memories] = await Promise.all([
      em.find(MemoryItem, { id: { $in: ids } }),
      em.getConnection().execute('update memory_items set last_accessed_at = now() where id in (?)', [ids]),
    ]);
    const now = Date.now();
    const returned = new Set(ids);
    index.ids.forEach((id, i) => {
      if (returned.has(id)) index.touchedMs[i] = now;
    });
    const byId = new Map(memories.map((m) => [m.id, m]));
    return ranked.flatMap((r) => (byId.has(r.id) ? [{ memory: byId.get(r.id)!, score: r.score }] : []));
  }

  /** memory id → share of the query's words it holds (only memories holding at least one). */
  async #lexical(em: EntityManager, userId: string, query: string): Promise<Map<string, number>> {
    const rows = (await em.getConnection().execute(LEXICAL_SQL, [query, userId])) as {
      lex: string[];
      id: string | null;
      words: string[] | null;
    }[];
    return new Map(rows.flatMap((r) => (r.id && r.words ? [[r.id, lexicalShare(r.lex, r.words)]] : [])));
  }

  async #index(em: EntityManager, userId: string): Promise<UserIndex> {
    const conn = em.getConnection();
    const model = this.#embedder.name;
    // The re-embed job leaves updated_at alone (the content did not change): the count of vectors in this
    // process's model is what tells its work apart.
    const [v] = (await conn.execute(
      `select count(*)::int as n, count(*) filter (where embedding_model = ?::text)::int as e,
              coalesce(sum(${epochMs('updated_at')}), 0) as s, coalesce(max(${epochMs('updated_at')}), 0) as m
         from memory_items where ${ACTIVE}`,
      [model, userId],
    )) as { n: number; e: number; s: number; m: number }[];
    const version = `${v!.n}:${v!.e}:${v!.s}:${v!.m}`;
    const cached = this.#cache.get(userId);
    this.#cache.delete(userId); // re-inserted below: Map order is the LRU order
    if (cached?.version === version) {
      this.#cache.set(userId, cached);
      return cached;
    }
    const hasVector = `embedding_model = ?::text and embedding_q is not null`;
    // One row: for 5,000 memories far cheaper to transfer and parse than 5,000 rows.
    // No ORDER BY: every aggregate of one query consumes the same rows in the same order, so the arrays line
    // up (and FILTER keeps that order among the rows it keeps); sorting them would cost a sort per column.
    const [agg] = (await conn.execute(
      `select coalesce(array_agg(id), '{}') as ids,
              coalesce(array_agg(memory_type), '{}') as types,
              coalesce(jsonb_agg(tags), '[]') as tags,
              coalesce(array_agg(composite_score), '{}')::float8[] as composite,
              coalesce(array_agg(${epochMs('coalesce(last_accessed_at, updated_at)')}), '{}') as touched,
              coalesce(array_agg(id) filter (where ${hasVector}), '{}') as vector_ids,
              encode(string_agg(embedding_q, ''::bytea) filter (where ${hasVector}), 'base64') as vectors
         from memory_items where ${ACTIVE}`,
      [model, model, userId],
    )) as {
      ids: string[];
      types: MemoryType[];
      tags: string[][];
      composite: (number | null)[];
      touched: number[];
      vector_ids: string[];
      /** base64: a third fewer bytes on the wire than bytea's hex text. */
      vectors: string | null;
    }[];
    const a = agg!;
    const vectorCount = a.vector_ids.length;
    const vectors =
      a.vectors && vectorCount > 0
        ? packBlob(Buffer.from(a.vectors, 'base64'), vectorCount) // every embedding_q of one model has one length (CHECK + model)
        : null;
    const rowOf = new Map(a.vector_ids.map((id, i) => [id, i]));
    const index: UserIndex = {
      version,
      ids: a.ids,
      types: a.types,
      tags: a.tags,
      composite: a.composite,
      touchedMs: a.touched,
      vectorRow: Int32Array.from(a.ids, (id) => rowOf.get(id) ?? -1),
      vectors,
    };
    this.#cache.set(userId, index);
    if (this.#cache.size > MAX_CACHED_USERS) this.#cache.delete(this.#cache.keys().next().value!);
    return index;
  }

  /** Drop one user's index (after a delete, say); the version check would catch the change anyway. */
  forget(userId: string) {
    this.#cache.delete(userId);
  }
}

/** `count` concatenated embedding_q values of one length → one packed set (no copy per vector). */
function packBlob(blob: Buffer, count: number): QuantizedSet {
  const stride = blob.length / count;
  const rows = Array.from({ length: count }, (_, i) => blob.subarray(i * stride, (i + 1) * stride));
  return packQuantized(rows, stride - 4);
}
