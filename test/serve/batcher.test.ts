import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { DynamicBatcher, QueueFullError, QueueTimeoutError, CanceledError, BatcherClosedError, stackRows, splitRows, type BatchInfo } from '../../src/serve/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Doubles numbers; records batch sizes; fails on negatives (the whole batch throws). */
function doubler(opts: Partial<ConstructorParameters<typeof DynamicBatcher<number, number>>[0]> = {}, delayMs = 0) {
  const batches: number[][] = [];
  const infos: BatchInfo[] = [];
  const b = new DynamicBatcher<number, number>({
    run: async (xs) => {
      batches.push(xs.slice());
      if (delayMs) await sleep(delayMs);
      if (xs.some((x) => x < 0)) throw new Error(`negative input ${xs.find((x) => x < 0)}`);
      return xs.map((x) => x * 2);
    },
    onBatch: (i) => infos.push(i),
    ...opts,
  });
  return { b, batches, infos };
}

describe('DynamicBatcher', () => {
  it('groups concurrent submissions into batches of at most maxBatch and keeps results in order', async () => {
    // A long delay plus flush(): batches do not depend on how fast this machine is.
    const { b, batches, infos } = doubler({ maxBatch: 4, maxDelayMs: 10_000 });
    const pending = Array.from({ length: 10 }, (_, i) => b.submit(i));
    b.flush();
    const out = await Promise.all(pending);
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(batches.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(infos.every((i) => i.queueWaitMs.length === i.items)).toBe(true);
  });

  it('waits maxDelayMs for a batch to fill, then runs what it has', async () => {
    const { b, batches } = doubler({ maxBatch: 8, maxDelayMs: 300 });
    const t0 = performance.now();
    const p1 = b.submit(1);
    await sleep(5);
    const p2 = b.submit(2);
    expect(await Promise.all([p1, p2])).toEqual([2, 4]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(batches).toEqual([[1, 2]]);
  });

  it('never mixes keys and counts rows with sizeOf', async () => {
    const { b, batches } = doubler({ maxBatch: 4, maxDelayMs: 10, keyOf: (x) => (x % 2 ? 'odd' : 'even'), sizeOf: (x) => (x >= 10 ? 3 : 1) });
    await Promise.all([1, 2, 3, 4, 10, 5, 12].map((x) => b.submit(x)));
    for (const batch of batches) expect(new Set(batch.map((x) => x % 2)).size).toBe(1);
    for (const batch of batches) expect(batch.reduce((a, x) => a + (x >= 10 ? 3 : 1), 0)).toBeLessThanOrEqual(4);
    expect(batches.flat().sort((a, c) => a - c)).toEqual([1, 2, 3, 4, 5, 10, 12]);
  });

  it('cuts batches back to a preferred size instead of running an odd one', async () => {
    const { b, batches } = doubler({ maxBatch: 16, maxDelayMs: 10_000, batchSizes: [1, 2, 4, 8, 16] });
    const pending = Array.from({ length: 13 }, (_, i) => b.submit(i));
    b.flush();
    await Promise.all(pending);
    expect(batches.map((x) => x.length)).toEqual([8, 4, 1]);
    expect(batches.flat()).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('a failing item does not fail the others in its batch', async () => {
    const { b, batches, infos } = doubler({ maxBatch: 8, maxDelayMs: 10_000 });
    const pending = [1, -5, 3].map((x) => b.submit(x));
    b.flush();
    const res = await Promise.allSettled(pending);
    expect(res[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(res[1].status).toBe('rejected');
    expect((res[1] as PromiseRejectedResult).reason.message).toBe('negative input -5');
    expect(res[2]).toEqual({ status: 'fulfilled', value: 6 });
    expect(batches).toEqual([[1, -5, 3], [1], [-5], [3]]);
    expect(infos[0].failed).toBe(true);
  });

  it('rejects with QueueFullError (and a Retry-After) when the queue is full', async () => {
    const { b } = doubler({ maxBatch: 1, maxQueue: 2, maxDelayMs: 0 }, 30);
    const first = b.submit(1);                 // runs
    const queued = [b.submit(2), b.submit(3)]; // wait
    const err = await b.submit(4).catch((e) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await Promise.all([first, ...queued])).toEqual([2, 4, 6]);
  });

  it('drops queued items on timeout and on abort, never running them', async () => {
    const { b, batches } = doubler({ maxBatch: 1, maxDelayMs: 0, timeoutMs: 20 }, 60);
    const running = b.submit(1);
    const timedOut = b.submit(2).catch((e) => e);
    const ac = new AbortController();
    const aborted = b.submit(3, { signal: ac.signal, timeoutMs: 1000 }).catch((e) => e);
    ac.abort();
    expect(await aborted).toBeInstanceOf(CanceledError);
    const t = await timedOut;
    expect(t).toBeInstanceOf(QueueTimeoutError);
    expect(t.status).toBe(504);
    expect(await running).toBe(2);
    await b.close();
    expect(batches).toEqual([[1]]);
    expect(b.queueDepth).toBe(0);
  });

  it('close() runs what is queued without waiting for the delay, then refuses new work', async () => {
    const { b, batches } = doubler({ maxBatch: 16, maxDelayMs: 10_000 });
    const p = [b.submit(1), b.submit(2)];
    const t0 = performance.now();
    await b.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await Promise.all(p)).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
    await expect(b.submit(3)).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('holds a partial batch while items are incoming, and runs it when they arrive', async () => {
    let incoming = 1;
    const { b, batches } = doubler({ maxBatch: 8, maxDelayMs: 5, incoming: () => incoming }, 200);
    await b.submit(0); // one 200 ms run: an incoming item is worth waiting up to that long for
    const p1 = b.submit(1);
    await sleep(30);   // past maxDelayMs, but an item is on its way
    expect(batches).toEqual([[0]]);
    const p2 = b.submit(2);
    incoming = 0;
    b.wake();
    expect(await Promise.all([p1, p2])).toEqual([2, 4]);
    expect(batches).toEqual([[0], [1, 2]]);
  });

  it('keeps a partial batch open while items keep arriving after a run (a burst read after a blocking run), up to one average run', async () => {
    const { b, batches } = doubler({ maxBatch: 64, maxDelayMs: 40 }, 200);
    await b.submit(0); // one 200 ms run
    // 20 arrivals 5 ms apart (100 ms, past maxDelayMs): each comes before the last is maxDelayMs / 2 old.
    const burst: Promise<number>[] = [];
    for (let i = 1; i <= 20; i++) { burst.push(b.submit(i)); await sleep(5); }
    expect(await Promise.all(burst)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    expect(batches).toEqual([[0], Array.from({ length: 20 }, (_, i) => i + 1)]);
    // Arrivals that never pause: the batch still goes one average run (about 200 ms) past the delay.
    const endless: Promise<number>[] = [];
    for (let i = 0; i < 70; i++) { endless.push(b.submit(100 + i)); await sleep(5); }
    await Promise.all(endless);
    expect(batches.length, 'the never-ending arrivals ran in more than one batch').toBeGreaterThan(3);
    expect(batches[2].length).toBeLessThan(70);
  });

  it('flush() runs queued items now', async () => {
    const { b, batches } = doubler({ maxBatch: 16, maxDelayMs: 10_000 });
    const p = [b.submit(1), b.submit(2), b.submit(3)];
    b.flush();
    expect(await Promise.all(p)).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });
});

describe('stackRows / splitRows', () => {
  it('stack along dimension 0, pad by repeating the last row, and split back', () => {
    const a = new Tensor('int32', [1, 2], [1, 2]);
    const b = new Tensor('int32', [2, 2], [3, 4, 5, 6]);
    const s = stackRows([a, b], 4);
    expect(s.shape).toEqual([4, 2]);
    expect(s.toArray()).toEqual([1, 2, 3, 4, 5, 6, 5, 6]);
    const [a2, b2, pad] = splitRows(s, [1, 2, 1]);
    expect(a2.toArray()).toEqual([1, 2]);
    expect(b2.shape).toEqual([2, 2]);
    expect(b2.toArray()).toEqual([3, 4, 5, 6]);
    expect(pad.toArray()).toEqual([5, 6]);
    expect(() => stackRows([a, new Tensor('int32', [1, 3])])).toThrow(/cannot stack/);
    expect(() => splitRows(s, [1, 1])).toThrow(/does not have 2 rows/);
  });
});
