// Embeddings: the provider interface and the hash embedding (the baseline and the fallback). Pure.
// Every stored vector records the provider's name and its length (memory_items.embedding_model,
// embedding_dimensions); vectors of different models are never compared.
// The default provider is the sentence model (src/ml/sentence-encoder.ts, wired in src/chat/providers.ts).
//
// The hash embedding is a feature-hashing bag of words (no network, no model download, deterministic
// across processes and versions of Node): each text becomes
//   word unigrams (weight 1), word bigrams (0.5) and character trigrams of each word (0.25),
// each hashed (FNV-1a) to one of 1536 buckets with a hashed sign, then L2-normalised, so the dot product
// of two embeddings is their cosine similarity. It captures shared words, shared phrases and shared word
// stems/spellings ("running" ~ "run", "Denver" ~ "denver"); it does NOT capture synonyms or meaning
// ("sad" and "unhappy" are unrelated to it): the sentence model is the one that knows meaning.

/** Length of the hash embedding's vectors. */
export const HASH_EMBEDDING_DIMENSIONS = 1536;
export const HASH_EMBEDDING_NAME = 'local-hash-v1';

export interface EmbeddingProvider {
  /** The model, stored with every vector (embedding_model): vectors of different names never compare. */
  readonly name: string;
  /** One L2-normalised vector per text, in order, all of one length for one provider. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
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
  vec[h % HASH_EMBEDDING_DIMENSIONS]! += h & 0x80000000 ? -weight : weight;
}

/** The deterministic local embedding described above. An empty or wordless text gives the zero vector. */
export function localEmbedding(text: string): Float32Array {
  const vec = new Float64Array(HASH_EMBEDDING_DIMENSIONS);
  const words = (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [])
    .map((w) => w.replace(/'/g, ''))
    .filter((w) => w && !STOPWORDS.has(w));
  words.forEach((word, i) => {
    add(vec, `w:${word}`, 1);
    if (i > 0) add(vec, `b:${words[i - 1]} ${word}`, 0.5);
    const padded = `<${word}>`;
    for (let j = 0; j + 3 <= padded.length; j++) add(vec, `c:${padded.slice(j, j + 3)}`, 0.25);
  });
  return l2Normalize(vec);
}

/** The vector scaled to length 1 (the zero vector stays zero), as float32. */
export function l2Normalize(vec: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < vec.length; i++) sum += vec[i]! * vec[i]!;
  const scale = sum === 0 ? 0 : 1 / Math.sqrt(sum);
  return Float32Array.from(vec as ArrayLike<number>, (v) => v * scale);
}

/** Cosine similarity of two L2-normalised vectors (their dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

export const localEmbeddingProvider: EmbeddingProvider = {
  name: HASH_EMBEDDING_NAME,
  embed: async (texts) => texts.map(localEmbedding),
};
