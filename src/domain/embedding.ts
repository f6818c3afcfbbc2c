// Embeddings: the dimension the schema enforces, the provider interface, and the default local
// embedding. Pure.
//
// The local embedding is a feature-hashing bag of words (no network, no model download, deterministic
// across processes and versions of Node): each text becomes
//   word unigrams (weight 1), word bigrams (0.5) and character trigrams of each word (0.25),
// each hashed (FNV-1a) to one of 1536 buckets with a hashed sign, then L2-normalised, so the dot product
// of two embeddings is their cosine similarity. It captures shared words, shared phrases and shared word
// stems/spellings ("running" ~ "run", "Denver" ~ "denver"); it does NOT capture synonyms or meaning
// ("sad" and "unhappy" are unrelated to it). Configure an embeddings API for semantic similarity.

/**
 * Length of every stored memory embedding. It is a schema fact (a CHECK on `memory_items.embedding`):
 * a model with another dimension needs a migration that re-embeds, not just a new env value.
 */
export const EMBEDDING_DIMENSIONS = 1536;

export interface EmbeddingProvider {
  /** Stored in extraction_metadata, so a later model change can tell which vectors to redo. */
  readonly name: string;
  /** One L2-normalised vector of EMBEDDING_DIMENSIONS per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

const STOPWORDS = new Set(
  'a an the and or but of to in on at for with is am are was were be been it its i me my we our you your this that so just really very'.split(
    ' ',
  ),
);

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(vec: Float64Array, feature: string, weight: number) {
  const h = fnv1a(feature);
  vec[h % EMBEDDING_DIMENSIONS]! += h & 0x80000000 ? -weight : weight;
}

/** The deterministic local embedding described above. An empty or wordless text gives the zero vector. */
export function localEmbedding(text: string): number[] {
  const vec = new Float64Array(EMBEDDING_DIMENSIONS);
  const words = (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [])
    .map((w) => w.replace(/'/g, ''))
    .filter((w) => w && !STOPWORDS.has(w));
  words.forEach((word, i) => {
    add(vec, `w:${word}`, 1);
    if (i > 0) add(vec, `b:${words[i - 1]} ${word}`, 0.5);
    const padded = `<${word}>`;
    for (let j = 0; j + 3 <= padded.length; j++) add(vec, `c:${padded.slice(j, j + 3)}`, 0.25);
  });
  return l2Normalize(Array.from(vec));
}

export function l2Normalize(vec: number[]): number[] {
  const norm = Math.sqrt(vec.reduce((s, v) => s + v * v, 0));
  return norm === 0 ? vec : vec.map((v) => v / norm);
}

/** Cosine similarity of two L2-normalised vectors (their dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

export const localEmbeddingProvider: EmbeddingProvider = {
  name: 'local-hash-v1',
  embed: async (texts) => texts.map(localEmbedding),
};
