// Group commit without a database: what is batched with what, how many writes run at once, and what a
// failed write does to the items that shared it.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/lib/group-commit.ts';

/** A write that records its batches and can be released by hand, so a test decides what is in flight. */
function controlledWrite(fail: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: number[]) => {
    batches.push(items);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((r) => releases.push(r));
    inFlight -= 1;
    if (items.some(fail)) throw new Error(`refused ${items.filter(fail).join(',')}`);
    return items.map((i) => i * 10);
  };
  const releaseAll = async () => {
    while (releases.length) releases.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { write, batches, releaseAll, maxInFlight: () => maxInFlight };
}

/** Releases writes until every promise has settled. */
async function settle<T>(promises: Promise<T>[], releaseAll: () => Promise<void>) {
  const all = Promise.allSettled(promises);
  let done = false;
  void all.then(() => (done = true));
  while (!done) await releaseAll();
  return all;
}

describe('GroupCommit', () => {
  it('writes an item alone at low load, and batches what arrives while writes are in flight', async () => {
    const w = controlledWrite();
    const gc = new GroupCommit(w.write, { writers: 1, maxBatch: 100 });
    const first = gc.submit(1);
    const rest = [2, 3, 4].map((i) => gc.submit(i));
    const results = await settle([first, ...rest], w.releaseAll);
    expect(results.map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([10, 20, 30, 40]);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never runs more writes at once than its writers, nor more items per write than maxBatch', async () => {
    const w = controlledWrite();
    const gc = new GroupCommit(w.write, { writers: 2, maxBatch: 3 });
    const results = await settle(
      Array.from({ length: 20 }, (_, i) => gc.submit(i)),
      w.releaseAll,
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(w.maxInFlight()).toBe(2);
    expect(Math.max(...w.batches.map((b) => b.length))).toBe(3);
    expect(w.batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('writes a failed batch again item by item: only the refused item fails, its neighbours are written', async () => {
    const w = controlledWrite((i) => i === 3);
    const gc = new GroupCommit(w.write, { writers: 1, maxBatch: 100 });
    const first = gc.submit(1);
    const batch = [2, 3, 4].map((i) => gc.submit(i));
    const results = await settle([first, ...batch], w.releaseAll);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('refused 3');
    expect(w.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('a failure retryAlone declines (the database is away) fails the whole batch once', async () => {
    const w = controlledWrite((i) => i === 3);
    const gc = new GroupCommit(w.write, { writers: 1, maxBatch: 100, retryAlone: () => false });
    const first = gc.submit(1);
    const batch = [2, 3, 4].map((i) => gc.submit(i));
    const results = await settle([first, ...batch], w.releaseAll);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('a failure of a lone item rejects just that submit, and the next one is written', async () => {
    const w = controlledWrite((i) => i === 1);
    const gc = new GroupCommit(w.write, { writers: 1, maxBatch: 100 });
    const [failed] = await settle([gc.submit(1)], w.releaseAll);
    expect(failed!.status).toBe('rejected');
    const [next] = await settle([gc.submit(2)], w.releaseAll);
    expect(next).toEqual({ status: 'fulfilled', value: 20 });
  });
});
