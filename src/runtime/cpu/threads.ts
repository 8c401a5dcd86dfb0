import { sgemm } from '../../../kernels/cpu/sgemm.js';
import type { SimdGemm } from '../../../kernels/cpu/sgemm-simd.js';
import { NR as SIMD_NR } from '../../../kernels/cpu/wasm/sgemm-module.js';
import type { GemmEpilogue } from '../../../kernels/cpu/gemm-epilogue.js';
import type { GemmBatch, ParallelGemm, SgemmBatchArgs } from '../../../kernels/cpu/parallel.js';
import { JOB_KINDS, JOBS, type JobArray, type JobKind } from '../../../kernels/cpu/jobs.js';
import type { Graph, PackedWeight } from '../../graph/graph.js';
import { ARRAY_WORDS, CTL_WORDS, ENGINE_CONST_A, ENGINE_CONST_B, gemmPart, takeChunks, FSlot, MAX_ARRAYS, MAX_FLOATS, MAX_INTS, SGEMM, Slot, Split, State, typeCode, type PortMessage } from './gemm-job.js';
import { nodeHost, webHost, type Helper, type HelperHost } from './helper-hosts.js';
import { sharePackedOf } from './share-packed.js';

/** Below this many multiply-adds a product (or a split job) stays on one thread: the hand-off would cost more. */
const MIN_WORK = 1 << 19;
/**
 * The same for products (and split jobs) on the SIMD engine, ~8x faster per multiply-add: below
 * 16M (about 0.5 ms on one core) a split lost more to the hand-off, the per-chunk copies and
 * waiting for the other core than it gained. MobileNetV2 at batch 1 on two threads took 26.5-27.1
 * ms with 4M, 25.4-25.6 with 16M, 25.5-26.0 with no split at all, against 24.5-24.9 on one
 * thread (same runs). Batches still split: a batched product's work is all its items'.
 */
const MIN_SIMD_WORK = 1 << 24;
/** Chunks per thread of a SIMD product: enough that a core slowed by other work takes fewer (this machine's two cores differ by ~35%). */
const CHUNKS_PER_THREAD = 4;
/**
 * Columns (rows) per SIMD chunk at least: narrower ones cost more in per-call copies than they
 * compute (MobileNetV2's 7x7 layers). A row chunk streams all of a kept B, so few rows per chunk
 * make the product memory-bound: 128x768x3072 on two threads went from 1.65x to 1.89x one
 * thread with 64 rows instead of 16 (`node dist/bench/split-threads.js --only kernels`).
 */
const MIN_SIMD_COLS = 32;
const MIN_SIMD_ROWS = 64;
/** Columns (or rows) per thread at least, so each part still fills whole register tiles. */
const MIN_COLS = 24;
const MIN_ROWS = 16;
/** From this many columns per thread C is wide enough to split by columns even when it is tall. */
const WIDE_COLS = 96;
const START_TIMEOUT_MS = 10_000;

interface WorkerSlot { helper: Helper; ctl: Int32Array; f64: Float64Array; sent: Set<number> }

/**
 * A pool of GEMM workers for one session: `threads - 1` helpers (worker_threads in Node, module
 * Web Workers in a browser's Web Worker; helper-hosts.ts) plus the calling thread,
 * each taking a contiguous share of C's columns (or rows, for tall narrow products). Kernels
 * stay synchronous: the caller posts the other shares into shared control words, computes its
 * own, then waits with Atomics.wait. Workers start on the first product big enough to split
 * (in browsers: in create, see HelperHost.blockingStart), are reused, never keep a Node process
 * alive and end in dispose(). Other kernels
 * (quantized, sparse) share their work the same way through `split` and kernels/cpu/jobs.ts.
 *
 * Operands must live in SharedArrayBuffers (the executor's arena and the session's shared
 * weights); a product touching any other memory (a caller's input or output array) runs on
 * one thread.
 */
export class GemmPool implements ParallelGemm {
  private workers: WorkerSlot[] | undefined;
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  private nextId = 0;
  private broken: string | undefined;
  private disposed = false;
  /** The calling thread's float64 scratch for its part of split jobs. */
  private tmp = new Float64Array(0);
  private parts = 0;
  /** The chunk counter of SIMD products (gemm-job.ts takeChunks), shared with every helper. */
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));

  private constructor(private readonly host: HelperHost, readonly threads: number, private readonly log: (line: string) => void, private readonly debug?: (line: string) => void) {}

  /** Parts of products the helpers have finished: what they really did, for tests and the debug log. */
  get helperParts(): number { return this.parts; }

  /**
   * A pool, or undefined (said once through `log`) where threads cannot run here: no
   * SharedArrayBuffer (a browser without cross-origin isolation), or a browser page's main
   * thread, which may not block in Atomics.wait (a session in a Web Worker can use threads).
   * `url`: the helper script (default: gemm-worker.js in Node, gemm-web-worker.js in browsers,
   * next to this module). `debug`: where the helpers' start and the parts they ran are logged.
   */
  static async create(threads: number, log: (line: string) => void, url?: URL, debug?: (line: string) => void): Promise<GemmPool | undefined> {
    if (threads <= 1) return undefined;
    if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
      log(`threads: SharedArrayBuffer is not available here (in browsers it needs cross-origin isolation); running on one thread instead of ${threads}`);
      return undefined;
    }
    const wt = await import('node:worker_threads').catch(() => undefined);
    if (!wt) {
      const why = webThreadsUnavailable();
      if (why) {
        log(`threads: ${why}; running on one thread instead of ${threads}`);
        return undefined;
      }
      const pool = new GemmPool(webHost(url), threads, log, debug);
      return await pool.startAhead() ? pool : undefined;
    }
    const script = url ?? new URL('./gemm-worker.js', import.meta.url);
    // Running from TypeScript sources (tests) there is no compiled worker: one thread, quietly
    // checked here rather than by a worker failing to load after the first product waits for it.
    if (script.protocol === 'file:') {
      const [{ existsSync }, { fileURLToPath }] = await Promise.all([import('node:fs'), import('node:url')]);
      if (!existsSync(fileURLToPath(script))) {
        log(`threads: the worker script ${script.href} is missing (running from sources?); running on one thread`);
        return undefined;
      }
    }
    return new GemmPool(nodeHost(wt, script), threads, log, debug);
  }

  sgemm(
    M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    b: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, ws: Float32Array | undefined, wsOff: number,
    epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
    simd?: SimdGemm, batch?: GemmBatch,
  ): boolean {
    const items = batch?.count ?? 1;
    if (this.disposed || this.broken !== undefined || items * M * N * K < (simd ? MIN_SIMD_WORK : MIN_WORK)) return false;
    // Columns split best (each thread packs only its own B panels) unless C is narrow: then rows.
    const T = this.threads;
    let byCols = batch !== undefined || N >= T * WIDE_COLS || (N >= T * MIN_COLS && M < T * MIN_ROWS);
    // SIMD: a weight the engine keeps packed is read whole by every chunk, the other operand is
    // packed per chunk: by columns when only A is kept (a conv's W X), by rows when only B is (a
    // MatMul's X W; by columns each chunk re-packed all of X: 512^3 ran slower on two threads
    // than on one, and 128x3072x768 took 15 ms against 10-13 by rows).
    const canA = simd?.keepable(a, 'A', aOff, rsA, csA, M, K) ?? false, canB = !batch && (simd?.keepable(b, 'B', bOff, rsB, csB, N, K) ?? false);
    if (canB && !canA && M >= T * MIN_ROWS) byCols = false;
    else if (canA && !canB && N >= T * MIN_COLS) byCols = true;
    // Kept only where every chunk reads the operand whole (a chunk's slice would be a pack of its own).
    const keptA = canA && byCols, keptB = canB && !byCols;
    if (!byCols && M < T * MIN_ROWS) return false;
    if (!shared(a) || !shared(b) || !shared(c) || (bias !== undefined && !shared(bias))) return false;
    const workers = this.workers ?? this.start();
    if (!workers) return false;
    const extent = byCols ? N : M, step = byCols ? (simd ? SIMD_NR : 3) : 4; // whole register tiles (4x3; SIMD 4x8) per part
    // SIMD products and batches go in about CHUNKS_PER_THREAD x T chunks taken in turn
    // (takeChunks): whole items when the batch has that many, else column parts of each. Other
    // JavaScript products go in T fixed parts.
    const chunked = simd !== undefined || batch !== undefined, want = T * CHUNKS_PER_THREAD;
    const parts = !chunked ? T : batch ? Math.max(1, Math.min(Math.ceil(want / items), Math.floor(N / MIN_SIMD_COLS))) : Math.min(want, Math.floor(extent / (byCols ? MIN_SIMD_COLS : MIN_SIMD_ROWS)));
    if (items * parts < 2) return false;
    const chunk = Math.ceil(Math.ceil(extent / parts) / step) * step, perItem = Math.ceil(extent / chunk), chunks = chunked ? items * perItem : 0;
    if (chunked) Atomics.store(this.counter, 0, 0);
    const rowBias = epi?.biasPerRow ?? false, strideB = batch?.strideB ?? 0, strideC = batch?.strideC ?? 0;
    let posted = 0;
    for (let t = 1; t < T; t++) {
      const lo = chunked ? 0 : Math.min(extent, t * chunk), hi = chunked ? extent : Math.min(extent, lo + chunk);
      if (hi <= lo) break;
      const w = workers[t - 1], ctl = w.ctl;
      ctl[Slot.Chunks] = chunks; ctl[Slot.Chunk] = chunk; ctl[Slot.ByRows] = byCols ? 0 : 1;
      ctl[Slot.PerItem] = perItem; ctl[Slot.BStride] = strideB; ctl[Slot.CStride] = strideC;
      if (chunked) ctl[Slot.CounterBuf] = this.send(w, this.counter);
      ctl[Slot.Job] = SGEMM; ctl[Slot.Engine] = simd ? 1 | (keptA ? ENGINE_CONST_A : 0) | (keptB ? ENGINE_CONST_B : 0) : 0;
      // Offsets are elements of a view over the whole buffer.
      const p = gemmPart(!byCols, lo, hi, M, N, a.byteOffset / 4 + aOff, rsA, b.byteOffset / 4 + bOff, csB, c.byteOffset / 4 + cOff, ldc, (bias?.byteOffset ?? 0) / 4 + biasOff, rowBias);
      ctl[Slot.M] = p.m; ctl[Slot.N] = p.n; ctl[Slot.K] = K;
      ctl[Slot.ABuf] = this.send(w, a); ctl[Slot.AOff] = p.aOff; ctl[Slot.RsA] = rsA; ctl[Slot.CsA] = csA;
      ctl[Slot.BBuf] = this.send(w, b); ctl[Slot.BOff] = p.bOff; ctl[Slot.RsB] = rsB; ctl[Slot.CsB] = csB;
      ctl[Slot.CBuf] = this.send(w, c); ctl[Slot.COff] = p.cOff; ctl[Slot.Ldc] = ldc;
      ctl[Slot.Accumulate] = accumulate ? 1 : 0;
      ctl[Slot.HasEpi] = epi ? 1 : 0; ctl[Slot.BiasPerRow] = rowBias ? 1 : 0; ctl[Slot.Act] = epi?.act ?? 0;
      w.f64[FSlot.Lo] = epi?.lo ?? -Infinity; w.f64[FSlot.Hi] = epi?.hi ?? Infinity;
      ctl[Slot.BiasBuf] = bias ? this.send(w, bias) : -1; ctl[Slot.BiasOff] = bias ? p.biasOff : 0;
      Atomics.store(ctl, Slot.State, State.Job);
      Atomics.notify(ctl, Slot.State);
      posted++;
    }
    // This thread's share: the first part, or the chunks it wins.
    const part = (lo: number, hi: number, item: number) => {
      const p = gemmPart(!byCols, lo, hi, M, N, aOff, rsA, bOff + item * strideB, csB, cOff + item * strideC, ldc, biasOff, rowBias);
      if (!simd?.sgemm(p.m, p.n, K, a, p.aOff, rsA, csA, b, p.bOff, rsB, csB, c, p.cOff, ldc, accumulate, epi, bias, p.biasOff, keptA, keptB)) {
        sgemm(p.m, p.n, K, a, p.aOff, rsA, csA, b, p.bOff, rsB, csB, c, p.cOff, ldc, accumulate, ws, wsOff, epi, bias, p.biasOff);
      }
    };
    try {
      if (chunked) takeChunks(this.counter, chunks, chunk, extent, part, perItem);
      else part(0, Math.min(extent, chunk), 0);
    } finally {
      this.join(workers, posted);
    }
    return true;
  }

  sgemmBatch(...args: SgemmBatchArgs): boolean {
    return this.batched(args);
  }

  /** A batch of products (ParallelGemm.sgemmBatch) as one chunked product, on `simd` engines when given. */
  batched([batch, M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, ws, wsOff, epi, bias, biasOff]: SgemmBatchArgs, simd?: SimdGemm): boolean {
    return this.sgemm(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, false, ws, wsOff, epi, bias, biasOff, simd, batch);
  }

  /** `simd`: this thread's engine, for jobs that run on one (each worker brings its own). */
  split(kind: JobKind, work: number, extent: number, grain: number, arrays: readonly (JobArray | undefined)[], ints: readonly number[], floats: readonly number[], simd?: SimdGemm): boolean {
    const job = JOBS[kind];
    if (this.disposed || this.broken !== undefined || work < (job.simd ? MIN_SIMD_WORK : MIN_WORK) || (job.simd && !simd)) return false;
    // Jobs on the SIMD engine go in about CHUNKS_PER_THREAD x T chunks taken in turn, like SIMD products; others in T fixed parts.
    const T = this.threads, chunked = job.simd === true, chunk = Math.ceil(Math.ceil(extent / (chunked ? T * CHUNKS_PER_THREAD : T)) / grain) * grain;
    if (chunk >= extent) return false;
    for (const a of arrays) if (a && !shared(a)) return false;
    if (arrays.length > MAX_ARRAYS || ints.length > MAX_INTS || floats.length > MAX_FLOATS) {
      throw new Error(`threads: job '${kind}' passes ${arrays.length} arrays, ${ints.length} ints, ${floats.length} floats (at most ${MAX_ARRAYS}, ${MAX_INTS}, ${MAX_FLOATS})`);
    }
    const workers = this.workers ?? this.start();
    if (!workers) return false;
    const code = JOB_KINDS.indexOf(kind);
    if (chunked) Atomics.store(this.counter, 0, 0);
    let posted = 0;
    for (let t = 1; t < T; t++) {
      const lo = chunked ? 0 : Math.min(extent, t * chunk), hi = chunked ? extent : Math.min(extent, lo + chunk);
      if (hi <= lo) break;
      const w = workers[t - 1], ctl = w.ctl;
      ctl[Slot.Job] = code; ctl[Split.Lo] = lo; ctl[Split.Hi] = hi;
      ctl[Split.Chunk] = chunked ? chunk : 0; ctl[Split.Counter] = chunked ? this.send(w, this.counter) : -1;
      ctl[Split.Arrays] = arrays.length; ctl[Split.Ints] = ints.length; ctl[Split.Floats] = floats.length;
      let at = Split.First;
      for (const a of arrays) {
        if (a) { ctl[at] = this.send(w, a); ctl[at + 1] = a.byteOffset; ctl[at + 2] = a.length; ctl[at + 3] = typeCode(a); }
        else ctl[at] = -1;
        at += ARRAY_WORDS;
      }
      for (const v of ints) ctl[at++] = v;
      for (let i = 0; i < floats.length; i++) w.f64[i] = floats[i];
      Atomics.store(ctl, Slot.State, State.Job);
      Atomics.notify(ctl, Slot.State);
      posted++;
    }
    try {
      const need = job.tmpF64(ints);
      if (this.tmp.length < need) this.tmp = new Float64Array(need);
      if (chunked) takeChunks(this.counter, Math.ceil(extent / chunk), chunk, extent, (lo, hi) => job.run(arrays, ints, floats, lo, hi, this.tmp, simd));
      else job.run(arrays, ints, floats, 0, Math.min(extent, chunk), this.tmp, simd);
    } finally {
      this.join(workers, posted);
    }
    return true;
  }

  /** Packed (quantized, sparse) weights of split kernels with their arrays in shared memory (share-packed.ts). */
  sharePacked(graph: Graph): Map<string, PackedWeight> {
    return sharePackedOf(graph);
  }

  /**
   * Float32 (and uint8: MatMulNBits' 4-bit blocks) constants the workers can read: those already
   * in shared memory (a model file read with `shared`) as they are, the others copied into one
   * SharedArrayBuffer — a second copy of those weights while the graph keeps its own.
   */
  share<T>(constants: ReadonlyMap<string, T>): Map<string, T> {
    const copy = (v: T): v is T & (Float32Array | Uint8Array) => (v instanceof Float32Array || v instanceof Uint8Array) && !shared(v);
    const span = (v: ArrayBufferView) => Math.ceil(v.byteLength / 4) * 4; // keeps every Float32Array 4-byte aligned
    let bytes = 0;
    for (const v of constants.values()) if (copy(v)) bytes += span(v);
    const buf = new SharedArrayBuffer(bytes), out = new Map<string, T>();
    let off = 0;
    for (const [k, v] of constants) {
      if (!copy(v)) { out.set(k, v); continue; }
      const c = v instanceof Float32Array ? new Float32Array(buf, off, v.length) : new Uint8Array(buf, off, v.length);
      c.set(v);
      off += span(v);
      out.set(k, c as T);
    }
    return out;
  }

  /** Ends the workers; later products run on the calling thread. */
  dispose(): void {
    this.disposed = true;
    if (this.workers) this.debug?.(`thread pool: ${this.workers.length} ${this.host.kind} helper(s) ran ${this.parts} part(s) of products`);
    for (const w of this.workers ?? []) {
      Atomics.store(w.ctl, Slot.State, State.Exit);
      Atomics.notify(w.ctl, Slot.State);
      w.helper.terminate();
    }
    this.workers = undefined;
  }

  private spawn(): WorkerSlot[] {
    const slots: WorkerSlot[] = [];
    try {
      for (let t = 1; t < this.threads; t++) {
        const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4)), f64 = new Float64Array(new SharedArrayBuffer(FSlot.Count * 8));
        // A worker that dies must not take the process with it: later products run on this thread.
        const helper = this.host.spawn(ctl.buffer as SharedArrayBuffer, f64.buffer as SharedArrayBuffer, (m) => this.fail(`a GEMM worker stopped: ${m}`));
        slots.push({ helper, ctl, f64, sent: new Set() });
      }
    } catch (e) {
      for (const s of slots) s.helper.terminate();
      throw e;
    }
    return slots;
  }

  /** Node: starts the workers on first use, blocking until they are up. */
  private start(): WorkerSlot[] | undefined {
    if (!this.host.blockingStart) return undefined; // started in create, or broken since
    let slots: WorkerSlot[] = [];
    try {
      slots = this.spawn();
      for (const s of slots) {
        if (Atomics.wait(s.ctl, Slot.State, State.Starting, START_TIMEOUT_MS) === 'timed-out') throw new Error(`a worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
    } catch (e) {
      for (const s of slots) s.helper.terminate();
      this.fail(`could not start GEMM workers (${(e as Error).message})`);
      return undefined;
    }
    this.workers = slots;
    this.debug?.(`thread pool: ${slots.length} ${this.host.kind} helper(s) started`);
    return slots;
  }

  /**
   * Browsers: starts the helpers now and waits for them without blocking, polling their state
   * words (a Web Worker's own workers start only while its event loop runs). False, said once,
   * when they did not start.
   */
  private async startAhead(): Promise<boolean> {
    try {
      this.workers = this.spawn();
    } catch (e) {
      this.fail(`could not start GEMM workers (${(e as Error).message})`);
      return false;
    }
    const until = Date.now() + START_TIMEOUT_MS;
    while (this.workers?.some((s) => Atomics.load(s.ctl, Slot.State) === State.Starting)) {
      if (Date.now() > until) this.fail(`could not start GEMM workers (a worker did not start within ${START_TIMEOUT_MS / 1000} s)`);
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (this.broken !== undefined || !this.workers) return false;
    this.debug?.(`thread pool: ${this.workers.length} ${this.host.kind} helper(s) started`);
    return true;
  }

  /** Waits for the first `posted` workers to finish their parts; a part that failed throws here, after all are done. */
  private join(workers: WorkerSlot[], posted: number): void {
    let failure: string | undefined;
    for (let t = 0; t < posted; t++) {
      const w = workers[t];
      while (Atomics.load(w.ctl, Slot.State) === State.Job) Atomics.wait(w.ctl, Slot.State, State.Job);
      if (Atomics.load(w.ctl, Slot.State) === State.Failed) {
        failure = w.helper.takeError();
        Atomics.store(w.ctl, Slot.State, State.Idle);
      } else this.parts++;
    }
    if (failure !== undefined) throw new Error(`GEMM worker failed: ${failure}`);
  }

  /** Stops using workers, says why once, and ends them. */
  private fail(why: string): void {
    if (this.broken !== undefined) return;
    this.broken = why;
    this.log(`threads: ${why}; running on one thread`);
    this.dispose();
  }

  /** The id a worker knows `arr`'s buffer by, sending the buffer first if it has not seen it. */
  private send(w: WorkerSlot, arr: ArrayBufferView): number {
    const buf = arr.buffer as SharedArrayBuffer;
    let id = this.ids.get(buf);
    if (id === undefined) { id = this.nextId++; this.ids.set(buf, id); }
    if (!w.sent.has(id)) { w.helper.post({ id, buffer: buf } satisfies PortMessage); w.sent.add(id); }
    return id;
  }
}

function shared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** Why a browser context cannot run pool helpers, or undefined where it can (a dedicated Web Worker). */
function webThreadsUnavailable(): string | undefined {
  const g = globalThis as { DedicatedWorkerGlobalScope?: abstract new () => unknown; Worker?: unknown };
  if (!g.DedicatedWorkerGlobalScope || !(globalThis instanceof g.DedicatedWorkerGlobalScope)) {
    return "a browser page's main thread may not block in Atomics.wait, which threads need: run the session in a Web Worker (createWorkerSession) to use threads";
  }
  if (typeof g.Worker !== 'function') return 'this Web Worker cannot start workers of its own';
  return undefined;
}
