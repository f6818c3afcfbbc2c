// Group commit: items submitted while earlier writes are in flight are written together by the next one
// (one statement, one commit, however many items). Nothing waits on a timer: at low load each item is
// written alone and at once. A few writers run at once, so one slow commit does not hold up the rest.
// Each submit resolves only after the write that carried it committed, so a caller that answers 202
// afterwards never acknowledges something that could still be lost. A failed batch is written again item
// by item (the failed statement committed nothing), so one item PostgreSQL refuses fails alone instead of
// taking the requests that happened to share its statement down with it.

export interface GroupCommitOptions {
  /** Writes in flight at once. */
  writers: number;
  /** Items per write at most. */
  maxBatch: number;
  /**
   * Whether a failed batch is worth writing again item by item (default: always). Say no for errors that
   * would fail every item anyway (the database is unreachable), so a batch fails at once, not N times over.
   */
  retryAlone?: (err: unknown) => boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  readonly #write: (items: T[]) => Promise<R[]>;
  readonly #options: GroupCommitOptions;
  #queue: Waiting<T, R>[] = [];
  #writers = 0;

  /** `write` gets a batch and returns one result per item, in order; it must be atomic (all or nothing). */
  constructor(write: (items: T[]) => Promise<R[]>, options: GroupCommitOptions) {
    this.#write = write;
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#writers < this.#options.writers) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writers += 1;
    while (this.#queue.length) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      try {
        const results = await this.#write(batch.map((w) => w.item));
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      } catch (err) {
        if (batch.length === 1 || this.#options.retryAlone?.(err) === false) for (const w of batch) w.reject(err);
        else for (const w of batch) await this.#writeAlone(w);
      }
    }
    this.#writers -= 1;
  }

  async #writeAlone(w: Waiting<T, R>): Promise<void> {
    try {
      const [result] = await this.#write([w.item]);
      w.resolve(result!);
    } catch (err) {
      w.reject(err);
    }
  }
}
