/**
 * Dynamic batching: items submitted concurrently are grouped by a compatibility key and run
 * together, up to `maxBatch` rows or after `maxDelayMs`, whichever comes first. Independent of
 * HTTP and of Tessera's tensors, so it fits any Node server.
 */
export interface BatcherOptions<I, O> {
  /** Runs one batch; returns one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /** Most rows (see `sizeOf`) in one batch. Default 16; 1 turns batching off. */
  maxBatch?: number;
  /** How long the first item of a batch waits for others. Default 5. */
  maxDelayMs?: number;
  /** Most items waiting (not yet running); beyond it submit() rejects with QueueFullError. Default 1024. */
  maxQueue?: number;
  /** How long an item may wait in the queue before it is dropped with QueueTimeoutError. Default 0: no limit. */
  timeoutMs?: number;
  /** Batches allowed to run at once. Default 1 (the CPU backend computes on the main thread). */
  maxConcurrentBatches?: number;
  /** Items with different keys never share a batch. Default: all compatible. */
  keyOf?: (item: I) => string;
  /** Rows one item contributes (its leading dimension). Default 1. */
  sizeOf?: (item: I) => number;
  /**
   * Preferred batch sizes in rows. A batch that would hold some other number of rows is cut
   * back to the longest run of its items that makes a preferred size; the rest wait for the
   * next batch. Default: any size.
   */
  batchSizes?: readonly number[];
  /** When a batch of several fails, re-run its items one by one so only the bad one fails. Default true. */
  isolateFailures?: boolean;
  /** Called after every batch (for metrics). */
  onBatch?: (info: BatchInfo) => void;
  /**
   * Items on their way (e.g. requests whose bodies are still being read). While there are
   * some, a batch that is not full waits for them up to one average run time longer than
   * maxDelayMs; call wake() when this count drops.
   */
  incoming?: () => number;
}

export interface BatchInfo {
  key: string;
  items: number;
  rows: number;
  /** Per item: milliseconds between submit() and the start of its batch. */
  queueWaitMs: number[];
  runMs: number;
  /** The batch run threw (its items were then run one by one when isolateFailures is on). */
  failed: boolean;
}

export interface SubmitOptions {
  /** Aborting removes the item from the queue (work already running is not interrupted). */
  signal?: AbortSignal;
  /** Overrides the batcher's timeoutMs for this item. */
  timeoutMs?: number;
}

/** Errors carry the HTTP status a server should answer with. */
export class BatcherError extends Error {
  override name = 'BatcherError';
  constructor(message: string, readonly status: number) { super(message); }
}
export class QueueFullError extends BatcherError {
  override name = 'QueueFullError';
  constructor(readonly queued: number, readonly retryAfterSeconds: number) {
    super(`the queue is full (${queued} waiting); retry after ${retryAfterSeconds} s`, 429);
  }
}
export class QueueTimeoutError extends BatcherError {
  override name = 'QueueTimeoutError';
  constructor(ms: number) { super(`timed out after ${ms} ms waiting in the queue`, 504); }
}
export class CanceledError extends BatcherError {
  override name = 'CanceledError';
  constructor() { super('canceled before it ran (client went away)', 499); }
}
export class BatcherClosedError extends BatcherError {
  override name = 'BatcherClosedError';
  constructor() { super('shutting down; not accepting new work', 503); }
}

interface Pending<I, O> {
  item: I;
  key: string;
  rows: number;
  enqueuedAt: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
  cleanupSignal?: () => void;
}

export class DynamicBatcher<I, O> {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;
  private readonly opts: BatcherOptions<I, O>;
  private readonly groups = new Map<string, Pending<I, O>[]>();
  private queued = 0;
  private running = 0;
  private closed = false;
  private timer?: ReturnType<typeof setTimeout>;
  private avgRunMs = 0;
  /** Items submitted at or before this time are due now (set by flush()). */
  private flushBefore = -Infinity;
  /** When the last batch finished. */
  private lastRunEnd = -Infinity;
  private idle: (() => void)[] = [];

  constructor(opts: BatcherOptions<I, O>) {
    this.opts = opts;
    this.maxBatch = positiveInt(opts.maxBatch ?? 16, 'maxBatch');
    this.maxDelayMs = opts.maxDelayMs ?? 5;
    this.maxQueue = positiveInt(opts.maxQueue ?? 1024, 'maxQueue');
    positiveInt(opts.maxConcurrentBatches ?? 1, 'maxConcurrentBatches');
    if (!(this.maxDelayMs >= 0)) throw new RangeError(`DynamicBatcher: maxDelayMs must be >= 0, got ${opts.maxDelayMs}`);
  }

  /** Items waiting to run. */
  get queueDepth(): number { return this.queued; }
  /** Batches running now. */
  get inflightBatches(): number { return this.running; }

  submit(item: I, options: SubmitOptions = {}): Promise<O> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    if (options.signal?.aborted) return Promise.reject(new CanceledError());
    if (this.queued >= this.maxQueue) return Promise.reject(new QueueFullError(this.queued, this.retryAfterSeconds()));
    return new Promise<O>((resolve, reject) => {
      const key = this.opts.keyOf?.(item) ?? '';
      const p: Pending<I, O> = { item, key, rows: Math.max(1, this.opts.sizeOf?.(item) ?? 1), enqueuedAt: performance.now(), resolve, reject };
      const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs ?? 0;
      if (timeoutMs > 0) p.timer = setTimeout(() => this.drop(p, new QueueTimeoutError(timeoutMs)), timeoutMs);
      const signal = options.signal;
      if (signal) {
        const onAbort = () => this.drop(p, new CanceledError());
        signal.addEventListener('abort', onAbort, { once: true });
        p.cleanupSignal = () => signal.removeEventListener('abort', onAbort);
      }
      let group = this.groups.get(key);
      if (!group) { group = []; this.groups.set(key, group); }
      group.push(p);
      this.queued++;
      this.pump();
    });
  }

  /** Seconds a rejected client should wait: the time to work through the current queue. */
  retryAfterSeconds(): number {
    const batches = Math.ceil(this.queued / this.maxBatch) / (this.opts.maxConcurrentBatches ?? 1);
    return Math.max(1, Math.ceil((batches * this.avgRunMs) / 1000));
  }

  /** Re-check the queue now (after `incoming` dropped, say). */
  wake(): void { this.pump(); }

  /** Run everything queued now without waiting for the delay (batches still respect maxBatch). */
  flush(): void {
    this.flushBefore = performance.now();
    this.pump();
  }

  /** Stop accepting work, run everything queued without waiting for the delay, resolve when idle. */
  close(): Promise<void> {
    this.closed = true;
    this.pump();
    if (this.queued === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private drop(p: Pending<I, O>, err: Error): void {
    const group = this.groups.get(p.key);
    const i = group ? group.indexOf(p) : -1;
    if (i < 0) return; // already dispatched
    group!.splice(i, 1);
    if (!group!.length) this.groups.delete(p.key);
    this.queued--;
    this.release(p);
    p.reject(err);
    this.pump();
  }

  private release(p: Pending<I, O>): void {
    if (p.timer) clearTimeout(p.timer);
    p.cleanupSignal?.();
  }

  private pump(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const maxRunning = this.opts.maxConcurrentBatches ?? 1;
    while (this.running < maxRunning) {
      const key = this.readyGroup();
      if (key === undefined) break;
      this.dispatch(this.take(key));
    }
    if (this.queued > 0 && this.running < maxRunning) {
      let first = Infinity;
      for (const g of this.groups.values()) first = Math.min(first, this.dueAt(g));
      this.timer = setTimeout(() => this.pump(), Math.max(0, first - performance.now()));
    }
    if (this.queued === 0 && this.running === 0) for (const done of this.idle.splice(0)) done();
  }

  /**
   * When a group that is not full becomes due: maxDelayMs after its oldest item arrived, and
   * also maxDelayMs after the last batch finished; while items are incoming, or still arriving
   * (the group's newest less than maxDelayMs / 2 ago), up to one average run later. This matters
   * when runs block the event loop (the CPU backend): requests that arrived meanwhile are still
   * unread in socket buffers and come in as a burst after the run, and dispatching in the middle
   * of it would run a small batch and block the rest for another whole run (MobileNetV2 on two
   * threads, 32 clients: mean batch 8.6 with the fixed delay; bench/serve-load.ts).
   */
  private dueAt(g: Pending<I, O>[]): number {
    const due = Math.max(g[0].enqueuedAt, this.lastRunEnd) + this.maxDelayMs;
    if ((this.opts.incoming?.() ?? 0) > 0) return due + this.avgRunMs;
    return Math.max(due, Math.min(g[g.length - 1].enqueuedAt + this.maxDelayMs / 2, due + this.avgRunMs));
  }

  /** The key of the group to run next: full, or due (see dueAt); oldest first. */
  private readyGroup(): string | undefined {
    const now = performance.now();
    let best: string | undefined, bestAt = Infinity;
    for (const [key, g] of this.groups) {
      const rows = g.reduce((a, p) => a + p.rows, 0);
      const ready = this.closed || rows >= this.maxBatch || now >= this.dueAt(g) || g[0].enqueuedAt <= this.flushBefore;
      if (ready && g[0].enqueuedAt < bestAt) { best = key; bestAt = g[0].enqueuedAt; }
    }
    return best;
  }

  private take(key: string): Pending<I, O>[] {
    const g = this.groups.get(key)!;
    let rows = 0, n = 0;
    const prefix: number[] = [];
    while (n < g.length && (n === 0 || rows + g[n].rows <= this.maxBatch)) prefix.push((rows += g[n++].rows));
    const sizes = this.opts.batchSizes;
    if (sizes && !sizes.includes(rows)) {
      // e.g. 13 waiting with sizes 1, 2, 4, 8, 16: run 8 now rather than pad to 16.
      for (let k = n - 1; k >= 1; k--) if (sizes.includes(prefix[k - 1])) { n = k; break; }
    }
    const batch = g.splice(0, n);
    if (!g.length) this.groups.delete(key);
    this.queued -= batch.length;
    return batch;
  }

  private async dispatch(batch: Pending<I, O>[]): Promise<void> {
    this.running++;
    const start = performance.now();
    for (const p of batch) this.release(p);
    const info: BatchInfo = { key: batch[0].key, items: batch.length, rows: batch.reduce((a, p) => a + p.rows, 0), queueWaitMs: batch.map((p) => start - p.enqueuedAt), runMs: 0, failed: false };
    try {
      const outs = await this.opts.run(batch.map((p) => p.item));
      if (!Array.isArray(outs) || outs.length !== batch.length) throw new Error(`batch run returned ${Array.isArray(outs) ? outs.length : typeof outs} results for ${batch.length} items`);
      info.runMs = performance.now() - start;
      batch.forEach((p, i) => p.resolve(outs[i]));
    } catch (err) {
      info.failed = true;
      if (batch.length > 1 && this.opts.isolateFailures !== false) {
        for (const p of batch) {
          try { p.resolve((await this.opts.run([p.item]))[0]); } catch (e) { p.reject(e); }
        }
      } else for (const p of batch) p.reject(err);
      info.runMs = performance.now() - start;
    } finally {
      this.running--;
      this.lastRunEnd = performance.now();
      this.avgRunMs = this.avgRunMs === 0 ? info.runMs : 0.8 * this.avgRunMs + 0.2 * info.runMs;
      try { this.opts.onBatch?.(info); } catch { /* a metrics hook must not break serving */ }
      this.pump();
    }
  }
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`DynamicBatcher: ${what} must be a positive integer, got ${v}`);
  return v;
}
