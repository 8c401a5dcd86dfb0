import type { GemmEpilogue } from './gemm-epilogue.js';
import type { JobArray, JobKind } from './jobs.js';
import type { DepthwiseRun } from './depthwise.js';
import type { ConvPlan } from './conv.js';
import type { Q8Weights } from './qgemm-simd.js';
import type { SparseEpilogue } from './sparse-epilogue.js';
import type { SparseOperand } from './sparse-weight.js';

/**
 * A way to run work across threads, handed to kernels by the executor (src/runtime/cpu
 * threads.ts implements it with worker_threads). `sgemm` and `split` return false when they
 * will not split the work (too small, an array outside shared memory, no workers), and the
 * caller then runs it on its own thread, so a kernel never depends on threads being there.
 */
/** A batch of products sharing A: how many, and how far apart (floats) their B and C start. */
export interface GemmBatch { count: number; strideB: number; strideC: number }

/** sgemm's and sgemmBatch's arguments, for implementations that pass them on as one tuple. */
export type SgemmArgs = Parameters<ParallelGemm['sgemm']>;
export type SgemmBatchArgs = Parameters<NonNullable<ParallelGemm['sgemmBatch']>>;

export interface ParallelGemm {
  /** Threads taking part, the calling one included. */
  readonly threads: number;
  sgemm(
    M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    b: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, ws: Float32Array | undefined, wsOff: number,
    epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
  ): boolean;
  /**
   * `b.count` products with one A (and bias): item i reads B at bOff + i * b.strideB and writes C
   * at cOff + i * b.strideC (a pointwise conv over a batch of NCHW images). Threads take whole
   * items, or column parts of them, so a batch of products each too small to split still runs on
   * every thread; each output is the one-thread output. False: the caller runs the items itself.
   */
  sgemmBatch?(
    b: GemmBatch, M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    x: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    ws: Float32Array | undefined, wsOff: number,
    epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
  ): boolean;
  /**
   * An im2col conv over a batch (N > 1) split by whole images across threads, each with its own
   * patch tile, on a faster engine (conv-images.ts); false (Y untouched) where it does not take it.
   */
  convImages?(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvPlan): boolean;
  /**
   * Runs JOBS[kind] (jobs.ts) over [0, extent) in contiguous parts of whole `grain`s, one per
   * thread, and returns when all are done; `work` (multiply-adds) decides whether splitting
   * pays. Every array must be in a SharedArrayBuffer (undefined stands for an absent one).
   */
  split(kind: JobKind, work: number, extent: number, grain: number, arrays: readonly (JobArray | undefined)[], ints: readonly number[], floats: readonly number[]): boolean;
  /**
   * A whole depthwise conv on a faster engine than the JavaScript kernel (split by planes across
   * threads where that pays), where there is one and it takes the window; false (Y untouched)
   * sends the caller to its own path.
   */
  depthwise?(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, run: DepthwiseRun): boolean;
  /**
   * A sparse-weight SpMM with rows of `lanes` contiguous lanes in X and Y (sparse-spmm.ts's
   * csrSpmm with ldx = rsY = lanes, csY = 1: a 1x1 conv on one NCHW image) on a faster engine,
   * the epilogue's `post` activation left to the caller; false (Y untouched) where it does not
   * take the operand, and the caller runs its own path.
   */
  spmm?(w: SparseOperand, lanes: number, x: Float32Array, xOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean;
  /** The same for SparseMatMul: Y[rows, N] from A[rows, K] (row-major, at aOff and yOff) and the operand's N x K weight. */
  spmmRows?(w: SparseOperand, rows: number, a: Float32Array, aOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean;
  /**
   * QMatMul's int8 x int8 product (int8 weights, int8-dynamic inputs; qgemm-simd.ts) on a faster
   * engine: rows [0, M) of A quantized there, the activation left to the caller; false (Y
   * untouched) where it does not take it.
   */
  q8gemm?(M: number, K: number, N: number, a: Float32Array, aOff: number, lda: number, w: Q8Weights, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number): boolean;
}
