import type { Tensor } from '../tensor.js';
import type { Graph, ValueInfo } from '../graph/graph.js';
import { analyze } from '../graph/analyze.js';
import { inferTypes } from '../graph/infer.js';
import { DynamicBatcher, type SubmitOptions } from './batcher.js';
import { hashInputs, type LruCache } from './cache.js';
import { DriftMonitor, type DriftOptions, type DriftProfile } from './drift.js';
import { DTYPE_TO_DATATYPE, ProtocolError } from './protocol.js';
import { splitRows, stackRows } from './tensor-batch.js';
import type { ServeMetrics } from './serve-metrics.js';

export type Feeds = Record<string, Tensor>;

/** A model's inputs and outputs as served, the outputs' shapes inferred from the graph. */
export interface ModelSignature {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

export function modelSignature(graph: Graph): ModelSignature {
  const types = inferTypes(graph, analyze(graph));
  return { inputs: graph.inputs, outputs: graph.outputs.map((o) => ({ ...o, shape: types.get(o.name)?.shape ?? o.shape })) };
}

/**
 * What a served model runs on: an InferenceSession (its `graph` gives the signature), or the
 * same model in a worker thread (model-repository.ts openWorkerRunner), which gives only its
 * `signature` so the weights are not kept on this thread.
 */
export interface ModelRunner {
  readonly graph?: Graph;
  readonly signature?: ModelSignature;
  run(feeds: Feeds): Promise<Feeds>;
  /** run() for feeds the caller will not read again: a worker takes their buffers instead of a copy. */
  runOwned?(feeds: Feeds): Promise<Feeds>;
  dispose(): unknown;
  /** Why the runner cannot run any more (a worker that died), if so: the model is then not ready. */
  failure?(): Error | undefined;
}

export interface ServedModelOptions {
  /** Most rows per batch (1: no batching). Default 16. */
  maxBatch?: number;
  maxDelayMs?: number;
  /** Requests waiting per model before 429. Default 256. */
  maxQueue?: number;
  /** Longest wait in the queue, ms. Default 30000. */
  timeoutMs?: number;
  /** Set false for a model whose rows are not independent. Default true (when the shapes allow it). */
  batching?: boolean;
  /**
   * The row counts batches are made of (default: powers of two below maxBatch, and maxBatch),
   * so the session compiles a few plans instead of one per batch size. The batcher cuts a
   * batch back to one of these; a batch of multi-row requests that cannot be cut is padded up
   * to the next. [] allows any size.
   */
  batchSizes?: readonly number[];
  /** Shared response cache (keys include the model name). */
  cache?: LruCache<Feeds>;
  /** Drift monitoring; false turns it off. */
  drift?: DriftOptions | false;
  driftProfile?: DriftProfile;
  metrics?: ServeMetrics;
}

/**
 * One model behind the server: request validation, response cache, drift statistics and a
 * dynamic batcher. A model batches when every input leads with the same symbolic dimension
 * (e.g. ['N', 3, 224, 224]) that appears nowhere else in the inputs and leads every output.
 */
export class ServedModel {
  /** The symbolic batch dimension, when the model batches. */
  readonly batchDim?: string;
  readonly batcher: DynamicBatcher<Feeds, Feeds>;
  readonly drift?: DriftMonitor;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Row counts batches are made of (ascending). */
  readonly batchSizes: readonly number[];
  private readonly cache?: LruCache<Feeds>;
  private readonly metrics?: ServeMetrics;
  private incoming = 0;

  constructor(readonly name: string, readonly session: ModelRunner, opts: ServedModelOptions = {}) {
    if (!session.signature && !session.graph) throw new TypeError(`model '${name}': its runner has neither a graph nor a signature`);
    ({ inputs: this.inputs, outputs: this.outputs } = session.signature ?? modelSignature(session.graph!));
    if (opts.batching !== false) this.batchDim = findBatchDim(this.inputs, this.outputs);
    this.cache = opts.cache;
    this.metrics = opts.metrics;
    if (opts.drift !== false) this.drift = new DriftMonitor(this.inputs.map((v) => v.name), opts.drift ?? {}, opts.driftProfile);
    const batched = this.batchDim !== undefined;
    const maxBatch = batched ? opts.maxBatch ?? 16 : 1;
    this.batchSizes = batched ? (opts.batchSizes ?? defaultBatchSizes(maxBatch)).slice().sort((a, b) => a - b) : [];
    const labels = { model: name };
    this.batcher = new DynamicBatcher<Feeds, Feeds>({
      run: (items) => this.runBatch(items),
      maxBatch,
      maxDelayMs: opts.maxDelayMs ?? 5,
      maxQueue: opts.maxQueue ?? 256,
      timeoutMs: opts.timeoutMs ?? 30_000,
      keyOf: (f) => (batched ? this.inputs.map((v) => f[v.name].shape.slice(1).join('x')).join('|') : ''),
      sizeOf: (f) => (batched ? f[this.inputs[0].name].shape[0] : 1),
      incoming: () => this.incoming,
      batchSizes: this.batchSizes,
      onBatch: (info) => {
        const m = this.metrics;
        if (!m) return;
        m.batchSize.observe(info.items, labels);
        m.inferenceDuration.observe(info.runMs / 1000, labels);
        for (const w of info.queueWaitMs) m.queueWait.observe(w / 1000, labels);
      },
    });
  }

  /**
   * Announce a request that will reach infer() once its body is read, so a batch about to run
   * waits for it; call the returned function (once) when it has been submitted or has failed.
   */
  expect(): () => void {
    this.incoming++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.incoming--;
      this.batcher.wake();
    };
  }

  /** Check names, datatypes and shapes against the model; throws ProtocolError (HTTP 400). */
  validate(feeds: Feeds): void {
    const known = new Set(this.inputs.map((v) => v.name));
    const unknown = Object.keys(feeds).filter((k) => !known.has(k));
    if (unknown.length) throw new ProtocolError(`model '${this.name}' has no input ${unknown.map((k) => `'${k}'`).join(', ')}; its inputs are ${[...known].map((k) => `'${k}'`).join(', ')}`);
    const symbols = new Map<string, [number, string]>();
    for (const info of this.inputs) {
      const t = feeds[info.name];
      const want = `${DTYPE_TO_DATATYPE[info.dtype]} [${info.shape.map((d) => (typeof d === 'number' ? d : -1)).join(', ')}]`;
      if (!t) throw new ProtocolError(`model '${this.name}': missing input '${info.name}' (${want})`);
      if (t.dtype !== info.dtype) throw new ProtocolError(`model '${this.name}': input '${info.name}' must be ${DTYPE_TO_DATATYPE[info.dtype]}, got ${DTYPE_TO_DATATYPE[t.dtype]}`);
      const bad = () => new ProtocolError(`model '${this.name}': input '${info.name}' must have shape ${want}, got [${t.shape.join(', ')}]`);
      if (t.rank !== info.shape.length) throw bad();
      info.shape.forEach((d, i) => {
        if (typeof d === 'number') { if (t.shape[i] !== d) throw bad(); return; }
        if (d === '?' || d === '') return;
        const seen = symbols.get(d);
        if (seen && seen[0] !== t.shape[i]) throw new ProtocolError(`model '${this.name}': input '${info.name}' dimension ${i} ('${d}') is ${t.shape[i]} but input '${seen[1]}' set it to ${seen[0]}`);
        symbols.set(d, [t.shape[i], info.name]);
      });
      if (t.dtype === 'int64') {
        // Tessera computes int64 as int32; reject here so one such request cannot fail a batch.
        const d = t.data as BigInt64Array;
        for (let i = 0; i < d.length; i++) {
          if (d[i] > 2147483647n || d[i] < -2147483648n) throw new ProtocolError(`model '${this.name}': input '${info.name}' value ${d[i]} at index ${i} is outside the int32 range Tessera computes INT64 in`);
        }
      }
    }
  }

  /** Validated feeds in, outputs out: from the cache, or through the batcher. */
  async infer(feeds: Feeds, opts: SubmitOptions = {}): Promise<{ outputs: Feeds; cached: boolean }> {
    this.validate(feeds);
    this.drift?.observe(feeds);
    const labels = { model: this.name };
    let key: string | undefined;
    if (this.cache) {
      key = hashInputs(this.name, feeds);
      const hit = this.cache.get(key);
      if (hit) { this.metrics?.cacheHits.inc(1, labels); return { outputs: hit, cached: true }; }
      this.metrics?.cacheMisses.inc(1, labels);
    }
    const outputs = await this.batcher.submit(feeds, opts);
    if (key !== undefined) this.cache!.set(key, outputs);
    return { outputs, cached: false };
  }

  /** Finish queued work and stop accepting more. */
  close(): Promise<void> { return this.batcher.close(); }

  private async runBatch(items: Feeds[]): Promise<Feeds[]> {
    const names = this.inputs.map((v) => v.name);
    const rows = this.batchDim === undefined ? [] : items.map((f) => f[names[0]].shape[0]);
    const total = rows.reduce((a, b) => a + b, 0);
    const padTo = this.batchSizes.find((s) => s >= total) ?? total;
    if (items.length === 1 && padTo === total) return [await this.session.run(items[0])];
    const stacked: Feeds = {};
    for (const n of names) stacked[n] = stackRows(items.map((f) => f[n]), padTo);
    const out = await (this.session.runOwned?.(stacked) ?? this.session.run(stacked)); // the stacked copy is ours
    const pieces = padTo > total ? [...rows, padTo - total] : rows;
    const results: Feeds[] = items.map(() => ({}));
    for (const [n, t] of Object.entries(out)) splitRows(t, pieces).forEach((piece, i) => { if (i < items.length) results[i][n] = piece; });
    return results;
  }
}

/** 1, 2, 4, ... below maxBatch, then maxBatch. */
export function defaultBatchSizes(maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let s = 1; s < maxBatch; s *= 2) sizes.push(s);
  sizes.push(maxBatch);
  return sizes;
}

function findBatchDim(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): string | undefined {
  if (!inputs.length) return undefined;
  const d = inputs[0].shape[0];
  if (typeof d !== 'string' || d === '?' || d === '') return undefined;
  for (const v of inputs) if (v.shape[0] !== d || v.shape.slice(1).includes(d)) return undefined;
  for (const v of outputs) if (v.shape[0] !== d) return undefined;
  return d;
}
