// The compact copy of a memory's vector that search reads (memory_items.embedding_q). Pure.
//
// Layout: a little-endian float32 scale, then one int8 per dimension: value ≈ int8 × scale, with
// scale = max |value| / 127. 516 bytes for a 512-dimension vector. Ranking with it moves a cosine by
// well under 0.01 (tested), far below the gaps that order memories, and lets the first search of a user
// read 5,000 vectors as one ~2.5 MB value.

/** The bytes of embedding_q for a vector. */
export function quantize(vector: ArrayLike<number>): Uint8Array {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]!));
  const scale = max / 127;
  const out = new Uint8Array(4 + vector.length);
  new DataView(out.buffer).setFloat32(0, scale, true);
  const values = new Int8Array(out.buffer, 4);
  for (let i = 0; i < vector.length; i++) values[i] = scale === 0 ? 0 : Math.round(vector[i]! / scale);
  return out;
}

/** Many quantized vectors of one length, side by side: what a user's search index holds. */
export interface QuantizedSet {
  dimensions: number;
  scales: Float32Array;
  values: Int8Array;
}

/** Packs embedding_q values (each 4 + dimensions bytes, or null for a row with none) into one set. */
export function packQuantized(rows: readonly (Uint8Array | null)[], dimensions: number): QuantizedSet {
  const scales = new Float32Array(rows.length);
  const values = new Int8Array(rows.length * dimensions);
  rows.forEach((row, i) => {
    if (!row || row.length !== 4 + dimensions) return; // scale 0: similarity 0, never a match by meaning
    scales[i] = new DataView(row.buffer, row.byteOffset, 4).getFloat32(0, true);
    values.set(new Int8Array(row.buffer, row.byteOffset + 4, dimensions), i * dimensions);
  });
  return { dimensions, scales, values };
}

/**
 * Dot products of a float query with every vector of the set (≈ cosine, both being unit length). Only the
 * query's non-zero entries are visited: a short hash-embedding query has a few dozen of 1,536.
 */
export function dotAll(query: ArrayLike<number>, set: QuantizedSet): Float32Array {
  const idx: number[] = [];
  for (let i = 0; i < query.length; i++) if (query[i] !== 0) idx.push(i);
  const at = Int32Array.from(idx);
  const q = Float32Array.from(idx, (i) => query[i]!);
  const n = set.scales.length;
  const out = new Float32Array(n);
  const { values, dimensions } = set;
  for (let r = 0; r < n; r++) {
    const base = r * dimensions;
    let sum = 0;
    for (let k = 0; k < at.length; k++) sum += q[k]! * values[base + at[k]!]!;
    out[r] = sum * set.scales[r]!;
  }
  return out;
}

/** The memory_items columns that hold one vector: exact, its model and length, and the compact copy. */
export function vectorColumns(model: string, vector: ArrayLike<number>) {
  return {
    embedding: Array.from(vector),
    embeddingModel: model,
    embeddingDimensions: vector.length,
    embeddingQ: Buffer.from(quantize(vector)),
  };
}
