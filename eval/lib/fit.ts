// Fitting the crisis head's layers (eval/train-crisis.ts): a softmax regression and a one-hidden-layer
// ReLU network, both with Adam, weight decay and class-balanced sample weights. Deterministic (a seeded
// generator for the initial weights and the batch order), so the same data gives the same head.
// Inputs are mostly sparse (hashed n-grams), so only non-zero inputs are visited.
import type { SoftmaxLayer } from '../../src/domain/crisis-model.ts';

interface Sample {
  x: Float32Array;
  nonZero: number[];
  y: number;
  weight: number;
}

function samples(xs: Float32Array[], ys: number[], labels: number, extra?: readonly number[]): Sample[] {
  const counts = new Array(labels).fill(0);
  for (const y of ys) counts[y] += 1;
  return xs.map((x, n) => ({
    x,
    nonZero: [...x.keys()].filter((i) => x[i] !== 0),
    y: ys[n]!,
    weight: (xs.length / (labels * counts[ys[n]!])) * (extra?.[n] ?? 1),
  }));
}

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** One Adam-updated parameter block. */
class Param {
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly grad: Float64Array;
  readonly w: Float64Array;
  readonly decay: number;
  constructor(w: Float64Array, decay: number) {
    this.w = w;
    this.decay = decay;
    this.m = new Float64Array(w.length);
    this.v = new Float64Array(w.length);
    this.grad = new Float64Array(w.length);
  }
  step(rate: number, t: number) {
    for (let i = 0; i < this.w.length; i++) {
      const g = this.grad[i]! + this.decay * this.w[i]!;
      this.m[i] = 0.9 * this.m[i]! + 0.1 * g;
      this.v[i] = 0.999 * this.v[i]! + 0.001 * g * g;
      this.w[i]! -= (rate * (this.m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(this.v[i]! / (1 - 0.999 ** t)) + 1e-8);
      this.grad[i] = 0;
    }
  }
}

export interface FitOptions {
  hidden: number;
  epochs: number;
  rate: number;
  decay: number;
  batch: number;
  seed: number;
}

const toLayer = (rows: Param[], bias: Param, digits: number): SoftmaxLayer => {
  const round = (x: number) => Number(x.toFixed(digits));
  return { weights: rows.map((r) => Array.from(r.w, round)), bias: Array.from(bias.w, round) };
};

/**
 * A network features → `hidden` ReLU units → softmax over `labels`. With hidden = 0 it is a softmax
 * regression and `hiddenLayer` is undefined.
 */
export function fitNetwork(
  xs: Float32Array[],
  ys: number[],
  labels: number,
  o: FitOptions,
  sampleWeights?: readonly number[],
) {
  const data = samples(xs, ys, labels, sampleWeights);
  const random = seeded(o.seed);
  const dims = xs[0]!.length;
  const width = o.hidden || dims;
  const init = (n: number, scale: number) => Float64Array.from({ length: n }, () => (random() - 0.5) * scale);
  const w1 = o.hidden ? Array.from({ length: o.hidden }, () => new Param(init(dims, 0.1), o.decay)) : [];
  const b1 = new Param(new Float64Array(o.hidden), 0);
  const w2 = Array.from(
    { length: labels },
    () => new Param(o.hidden ? init(width, 0.1) : new Float64Array(width), o.decay),
  );
  const b2 = new Param(new Float64Array(labels), 0);

  const forward = (s: Sample) => {
    let h: Float64Array | Float32Array = s.x;
    if (o.hidden) {
      h = new Float64Array(o.hidden);
      for (let j = 0; j < o.hidden; j++) {
        let z = b1.w[j]!;
        const row = w1[j]!.w;
        for (const i of s.nonZero) z += row[i]! * s.x[i]!;
        h[j] = Math.max(z, 0);
      }
    }
    const logits = w2.map((row, k) => {
      let z = b2.w[k]!;
      for (let j = 0; j < width; j++) z += row.w[j]! * h[j]!;
      return z;
    });
    const max = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return { h, p: exps.map((e) => e / sum) };
  };

  const order = data.map((_, i) => i);
  let t = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += o.batch) {
      const batch = order.slice(start, start + o.batch);
      for (const n of batch) {
        const s = data[n]!;
        const { h, p } = forward(s);
        const dz = p.map((pk, k) => ((pk - (s.y === k ? 1 : 0)) * s.weight) / batch.length);
        const dh = new Float64Array(o.hidden);
        for (let k = 0; k < labels; k++) {
          b2.grad[k]! += dz[k]!;
          const row = w2[k]!;
          for (let j = 0; j < width; j++) {
            row.grad[j]! += dz[k]! * h[j]!;
            if (o.hidden) dh[j]! += dz[k]! * row.w[j]!;
          }
        }
        for (let j = 0; j < o.hidden; j++) {
          if (h[j]! <= 0) continue;
          b1.grad[j]! += dh[j]!;
          const g = w1[j]!.grad;
          for (const i of s.nonZero) g[i]! += dh[j]! * s.x[i]!;
        }
      }
      t += 1;
      for (const p of [...w1, b1, ...w2, b2]) p.step(o.rate, t);
    }
  }
  return {
    hiddenLayer: o.hidden ? toLayer(w1, b1, 4) : undefined,
    outputLayer: toLayer(w2, b2, 4),
  };
}
