// Retrieval and consolidation benchmark (`npm run eval`): recall@5 and MRR of the hash embedding, the
// sentence model and hybrid ranking, side by side, on labelled facts and paraphrased questions; and the
// consolidation decisions on labelled pairs (same / update / different).
//
// Facts go through the production path minus the database: extraction (rules + the model step), the
// embedded text (content + topic gloss), the compact int8 vectors, and rankMemories (all memories equally
// recent). The lexical side uses PostgreSQL's own English text search (the stored search_vector is
// to_tsvector('english', content)), so `npm run eval` needs PostgreSQL (DATABASE_URL, or the local default);
// without it the hybrid column is skipped. Sets: eval/data/memory-dev.jsonl and consolidation-dev.jsonl (the
// author's, tuned on); any other eval/data/memory-*.jsonl / consolidation-*.jsonl is reported too, e.g. a
// held-out set written by someone else.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { chatProvidersFrom, sentenceEmbeddingProvider } from '../src/chat/providers.ts';
import { loadConfig } from '../src/config.ts';
import { decideConsolidation, type ExistingMemory } from '../src/domain/consolidation.ts';
import { localEmbeddingProvider, type EmbeddingProvider } from '../src/domain/embedding.ts';
import { embeddingText } from '../src/domain/memory-tags.ts';
import { dotAll, packQuantized, quantize } from '../src/domain/quantized.ts';
import { lexicalShare, rankMemories } from '../src/domain/retrieval.ts';
import { sentenceEncoder } from '../src/ml/sentence-encoder.ts';

interface FactRow {
  id: string;
  fact: string;
  /** A paraphrased question sharing no content word with the fact. */
  question: string;
  /** Optional: a short query by name or exact word ("Pepper", "Okafor"), what the full-text side is for. */
  name_query?: string;
}
interface PairRow {
  existing: string;
  incoming: string;
  label: 'same' | 'update' | 'different';
}

const dataDir = new URL('./data/', import.meta.url);
const load = <T>(file: string): T[] =>
  readFileSync(new URL(file, dataDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
const setsOf = (prefix: string) => readdirSync(dataDir).filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'));

/** What extraction makes of a fact (the first candidate), as the worker would, with its embedder. */
async function memoriesOf(facts: readonly string[], embedder: EmbeddingProvider) {
  const providers = chatProvidersFrom(
    loadConfig({
      NODE_ENV: 'development',
      EMBEDDING_PROVIDER: embedder === localEmbeddingProvider ? 'hash' : 'sentence',
    }),
  );
  const extracted = await Promise.all(facts.map((f) => providers.extractor.extract(f)));
  const candidates = extracted.map((e) => e.candidates[0] ?? null);
  const texts = candidates.map((c, i) => (c ? embeddingText(c.content, c.tags) : facts[i]!));
  return { candidates, vectors: await embedder.embed(texts) };
}

async function lexemesOf(client: pg.Client | null, texts: readonly string[]): Promise<string[][] | null> {
  if (!client) return null;
  const { rows } = await client.query<{ words: string[] }>(
    "select tsvector_to_array(to_tsvector('english', t)) as words from unnest($1::text[]) with ordinality as u(t, n) order by n",
    [texts],
  );
  return rows.map((r) => r.words);
}

interface Scores {
  recall5: number;
  mrr: number;
  n: number;
  misses: string[];
}

/** recall@5 and MRR of the questions (`which`) of `rows` whose facts are the memories of one user. */
async function retrievalScores(
  rows: readonly FactRow[],
  which: 'question' | 'name_query',
  embedder: EmbeddingProvider,
  lexical: boolean,
  client: pg.Client | null,
) {
  const { candidates, vectors } = await memoriesOf(
    rows.map((r) => r.fact),
    embedder,
  );
  const stored = packQuantized(vectors.map(quantize), vectors[0]!.length);
  const asked = rows.flatMap((r, i) => (r[which] ? [{ text: r[which], target: i }] : []));
  const queries = await embedder.embed(asked.map((a) => a.text));
  const factWords = lexical
    ? await lexemesOf(
        client,
        rows.map((r) => candidates[rows.indexOf(r)]?.content ?? r.fact),
      )
    : null;
  const questionWords = lexical
    ? await lexemesOf(
        client,
        asked.map((a) => a.text),
      )
    : null;
  const now = new Date();
  const out: Scores = { recall5: 0, mrr: 0, n: 0, misses: [] };
  asked.forEach(({ text, target }, qi) => {
    const row = rows[target]!;
    const similarity = dotAll(queries[qi]!, stored);
    const ranked = rankMemories(
      true,
      rows.map((r, i) => ({
        id: r.id,
        similarity: similarity[i]!,
        lexical: factWords && questionWords ? lexicalShare(questionWords[qi]!, factWords[i]!) : 0,
        compositeScore: candidates[i]?.compositeScore ?? 0.5,
        touchedAt: now,
      })),
      now,
      { limit: rows.length },
    );
    const rank = ranked.findIndex((r) => r.id === row.id) + 1;
    if (rank >= 1 && rank <= 5) out.recall5 += 1;
    else out.misses.push(`${row.id}: "${text}" → rank ${rank || 'none'}, top "${ranked[0]?.id}"`);
    out.mrr += rank ? 1 / rank : 0;
  });
  return { ...out, mrr: out.mrr / asked.length, n: asked.length };
}

async function consolidationScores(rows: readonly PairRow[], embedder: EmbeddingProvider) {
  const label = { reinforce: 'same', supersede: 'update', add: 'different' } as const;
  const existing = await memoriesOf(
    rows.map((r) => r.existing),
    embedder,
  );
  const incoming = await memoriesOf(
    rows.map((r) => r.incoming),
    embedder,
  );
  let correct = 0;
  const confusion: Record<string, number> = {};
  const misses: string[] = [];
  rows.forEach((row, i) => {
    const old = existing.candidates[i];
    const cand = incoming.candidates[i];
    const memory: ExistingMemory = {
      id: 'old',
      content: old?.content ?? row.existing,
      memoryType: old?.memoryType ?? 'personal_fact',
      slot: old?.slot ?? null,
      value: old?.value ?? null,
      embedding: existing.vectors[i]!,
    };
    const decided = cand
      ? label[decideConsolidation({ ...cand, embedding: incoming.vectors[i]! }, [memory]).action]
      : 'different';
    confusion[`${row.label}→${decided}`] = (confusion[`${row.label}→${decided}`] ?? 0) + 1;
    if (decided === row.label) correct += 1;
    else misses.push(`"${row.existing}" + "${row.incoming}": ${row.label}, decided ${decided}`);
  });
  return { correct, total: rows.length, confusion, misses };
}

export async function runRetrievalEval(verbose: boolean) {
  const client = new pg.Client({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  const connected = await client.connect().then(
    () => client,
    () => null,
  );
  try {
    for (const file of setsOf('memory-')) {
      const rows = load<FactRow>(file);
      for (const which of ['question', 'name_query'] as const) {
        if (!rows.some((r) => r[which])) continue;
        const hash = await retrievalScores(rows, which, localEmbeddingProvider, false, connected);
        const sentence = await retrievalScores(rows, which, sentenceEmbeddingProvider, false, connected);
        const hybrid = connected
          ? await retrievalScores(rows, which, sentenceEmbeddingProvider, true, connected)
          : null;
        console.log(
          `\neval/data/${file}: ${rows.length} facts; ${hash.n} ${which === 'question' ? 'paraphrased questions (no content word shared with the fact)' : 'queries by name or exact word'}`,
        );
        const line = (name: string, s: Scores | null) => ({
          ranking: name,
          'recall@5': s ? `${s.recall5}/${s.n} = ${(s.recall5 / s.n).toFixed(3)}` : 'skipped (no PostgreSQL)',
          MRR: s ? s.mrr.toFixed(3) : '—',
        });
        console.table([
          line('hash embedding (local-hash-v1)', hash),
          line('sentence model (use-lite-512)', sentence),
          line('hybrid (sentence + full-text), production', hybrid),
        ]);
        if (verbose) for (const m of (hybrid ?? sentence).misses) console.log(`  miss: ${m}`);
      }
    }
    for (const file of setsOf('consolidation-')) {
      const r = await consolidationScores(load<PairRow>(file), sentenceEmbeddingProvider);
      console.log(
        `\neval/data/${file}: consolidation decisions ${r.correct}/${r.total} = ${(r.correct / r.total).toFixed(3)} correct (same → reinforce, update → supersede, different → add)`,
      );
      console.log(
        `  ${Object.entries(r.confusion)
          .sort()
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}`,
      );
      if (verbose) for (const m of r.misses) console.log(`  miss: ${m}`);
    }
  } finally {
    await connected?.end();
    await sentenceEncoder().close();
  }
}
