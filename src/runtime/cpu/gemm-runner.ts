import { sgemm, sgemmWorkspaceFloats } from '../../../kernels/cpu/sgemm.js';
import { SimdGemm } from '../../../kernels/cpu/sgemm-simd.js';
import type { GemmEpilogue } from '../../../kernels/cpu/gemm-epilogue.js';
import { JOB_KINDS, JOBS, type JobArray } from '../../../kernels/cpu/jobs.js';
import { ARRAY_WORDS, arrayView, ENGINE_CONST_A, ENGINE_CONST_B, gemmPart, takeChunks, FSlot, SGEMM, Slot, Split, State } from './gemm-job.js';

const MAX_JOB_VIEWS = 4096;

/**
 * What a pool helper does with the job the calling thread wrote into its shared control words:
 * its part of a product (SGEMM, or a split job of kernels/cpu/jobs.ts) with the same kernels.
 * One code path for both helper scripts, gemm-worker.ts (Node) and gemm-web-worker.ts
 * (browsers); they differ only in how a buffer id becomes the SharedArrayBuffer it names.
 */
export function createJobRunner(ctl: Int32Array, f64: Float64Array, buffer: (id: number) => SharedArrayBuffer): () => void {
  const floatViews = new Map<number, Float32Array>();
  const counters = new Map<number, Int32Array>();
  const jobViews = new Map<string, JobArray>();
  const epi: GemmEpilogue = { biasPerRow: false, lo: -Infinity, hi: Infinity, act: 0 };
  let ws = new Float32Array(0);
  let tmp = new Float64Array(0);
  /** This helper's own SIMD engine, made on its first SIMD part (null: it cannot run here). */
  let simd: SimdGemm | null | undefined;

  function counter(id: number): Int32Array {
    let v = counters.get(id);
    if (!v) { v = new Int32Array(buffer(id)); counters.set(id, v); }
    return v;
  }

  function engine(): SimdGemm {
    simd ??= SimdGemm.create() ?? null;
    if (!simd) throw new Error('this worker cannot run WebAssembly SIMD');
    return simd;
  }

  /**
   * A split job's array, the same view object for the same array every time: the engine keeps
   * copies of constant arrays (an int8 weight) keyed by the array object. Views of a session's
   * arena and weights are few; past MAX_JOB_VIEWS (many plans come and gone) they start over.
   */
  function jobView(id: number, byteOffset: number, length: number, code: number): JobArray {
    const key = `${id}:${byteOffset}:${length}:${code}`;
    let v = jobViews.get(key);
    if (!v) {
      if (jobViews.size >= MAX_JOB_VIEWS) jobViews.clear();
      v = arrayView(code, buffer(id), byteOffset, length);
      jobViews.set(key, v);
    }
    return v;
  }

  function view(id: number): Float32Array {
    let v = floatViews.get(id);
    if (!v) { v = new Float32Array(buffer(id)); floatViews.set(id, v); }
    return v;
  }

  function runSgemm(): void {
    const M = ctl[Slot.M], N = ctl[Slot.N], K = ctl[Slot.K], need = sgemmWorkspaceFloats(M, N, K);
    if (ws.length < need) ws = new Float32Array(need);
    const hasEpi = ctl[Slot.HasEpi] === 1;
    epi.biasPerRow = ctl[Slot.BiasPerRow] === 1; epi.act = ctl[Slot.Act]; epi.lo = f64[FSlot.Lo]; epi.hi = f64[FSlot.Hi];
    const biasBuf = ctl[Slot.BiasBuf];
    const a = view(ctl[Slot.ABuf]), b = view(ctl[Slot.BBuf]), c = view(ctl[Slot.CBuf]), bias = biasBuf >= 0 ? view(biasBuf) : undefined;
    const flags = ctl[Slot.Engine], e = hasEpi ? epi : undefined;
    if (ctl[Slot.Chunks] === 0) { // this worker's fixed part of a JavaScript product
      sgemm(M, N, K, a, ctl[Slot.AOff], ctl[Slot.RsA], ctl[Slot.CsA], b, ctl[Slot.BOff], ctl[Slot.RsB], ctl[Slot.CsB], c, ctl[Slot.COff], ctl[Slot.Ldc], ctl[Slot.Accumulate] === 1, ws, 0, e, bias, ctl[Slot.BiasOff]);
      return;
    }
    const s = flags & 1 ? engine() : undefined;
    const keepA = (flags & ENGINE_CONST_A) !== 0, keepB = (flags & ENGINE_CONST_B) !== 0;
    const rsA = ctl[Slot.RsA], csA = ctl[Slot.CsA], rsB = ctl[Slot.RsB], csB = ctl[Slot.CsB], ldc = ctl[Slot.Ldc], acc = ctl[Slot.Accumulate] === 1;
    const byRows = ctl[Slot.ByRows] === 1, strideB = ctl[Slot.BStride], strideC = ctl[Slot.CStride];
    const part = (lo: number, hi: number, item: number) => {
      const p = gemmPart(byRows, lo, hi, M, N, ctl[Slot.AOff], rsA, ctl[Slot.BOff] + item * strideB, csB, ctl[Slot.COff] + item * strideC, ldc, ctl[Slot.BiasOff], epi.biasPerRow);
      if (!s?.sgemm(p.m, p.n, K, a, p.aOff, rsA, csA, b, p.bOff, rsB, csB, c, p.cOff, ldc, acc, e, bias, p.biasOff, keepA, keepB)) {
        sgemm(p.m, p.n, K, a, p.aOff, rsA, csA, b, p.bOff, rsB, csB, c, p.cOff, ldc, acc, ws, 0, e, bias, p.biasOff);
      }
    };
    takeChunks(counter(ctl[Slot.CounterBuf]), ctl[Slot.Chunks], ctl[Slot.Chunk], byRows ? M : N, part, ctl[Slot.PerItem]);
  }

  function runSplit(code: number): void {
    const job = JOBS[JOB_KINDS[code]];
    if (!job) throw new Error(`worker: no job with code ${code}`);
    const arrays: (JobArray | undefined)[] = [];
    for (let i = 0, w = Split.First; i < ctl[Split.Arrays]; i++, w += ARRAY_WORDS) {
      arrays.push(ctl[w] < 0 ? undefined : jobView(ctl[w], ctl[w + 1], ctl[w + 2], ctl[w + 3]));
    }
    const i0 = Split.First + ctl[Split.Arrays] * ARRAY_WORDS, ints = ctl.subarray(i0, i0 + ctl[Split.Ints]);
    const floats = f64.subarray(0, ctl[Split.Floats]), need = job.tmpF64(ints);
    if (tmp.length < need) tmp = new Float64Array(need);
    const s = job.simd ? engine() : undefined, chunk = ctl[Split.Chunk], extent = ctl[Split.Hi];
    if (chunk > 0) takeChunks(counter(ctl[Split.Counter]), Math.ceil(extent / chunk), chunk, extent, (lo, hi) => job.run(arrays, ints, floats, lo, hi, tmp, s));
    else job.run(arrays, ints, floats, ctl[Split.Lo], extent, tmp, s);
  }

  return () => { if (ctl[Slot.Job] === SGEMM) runSgemm(); else runSplit(ctl[Slot.Job]); };
}

/**
 * A helper's loop, shared by the Node worker and the browser helper: says it is idle, then waits
 * for each job, runs it (after `ready`, which may yield to receive the buffers the job names),
 * reports a failure through `fail` and signals back; it returns when told to exit. When `ready`
 * returns no promise the loop never yields, so the Node worker's loop stays synchronous.
 */
export async function serveJobs(ctl: Int32Array, run: () => void, fail: (message: string) => void, ready?: () => Promise<void> | undefined): Promise<void> {
  Atomics.store(ctl, Slot.State, State.Idle);
  Atomics.notify(ctl, Slot.State);
  for (;;) {
    Atomics.wait(ctl, Slot.State, State.Idle);
    const s = Atomics.load(ctl, Slot.State);
    if (s === State.Exit) return;
    if (s !== State.Job) continue;
    let next: number = State.Idle;
    try {
      const waiting = ready?.();
      if (waiting) await waiting;
      run();
    } catch (e) { fail((e as Error).message); next = State.Failed; }
    Atomics.store(ctl, Slot.State, next);
    Atomics.notify(ctl, Slot.State);
  }
}
