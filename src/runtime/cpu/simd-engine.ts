import type { ParallelGemm, SgemmArgs, SgemmBatchArgs } from '../../../kernels/cpu/parallel.js';
import type { JobArray, JobKind } from '../../../kernels/cpu/jobs.js';
import type { SimdGemm } from '../../../kernels/cpu/sgemm-simd.js';
import type { GemmPool } from './threads.js';
import type { DepthwiseRun } from '../../../kernels/cpu/depthwise.js';
import type { ConvPlan } from '../../../kernels/cpu/conv.js';
import { convImagesInts } from '../../../kernels/cpu/conv-images.js';
import { depthwiseSimd, simdDepthwiseSupported } from '../../../kernels/cpu/depthwise-simd.js';
import { q8GemmSimd, type Q8Weights } from '../../../kernels/cpu/qgemm-simd.js';
import type { SparseEpilogue } from '../../../kernels/cpu/sparse-epilogue.js';
import type { SparseOperand } from '../../../kernels/cpu/sparse-weight.js';
import { spmmSimd, spmmSimdRows } from '../../../kernels/cpu/spmm-simd.js';

/**
 * A depthwise multiply-add on the engine costs about this many of a GEMM's (7-9 against 30-40
 * GFLOP/s), so the pool weighs its work like a product's: MobileNetV2 at batch 8 on two threads
 * 16.1-17.0 ms per sample with it, 17.5-17.7 without (same runs); batch 1 unchanged.
 */
const DEPTHWISE_MAC_COST = 4;

/**
 * What the executor hands the steps planned on the 'wasm-simd' tier in place of the thread
 * pool: their GEMMs (and batched products, and im2col convs over a batch) run on the
 * WebAssembly SIMD engine, split across the pool's threads (each worker with its own engine)
 * when the pool takes them, else on this thread; so do depthwise 3x3 convs (depthwise-simd.ts).
 * So do int8 x int8 products (qgemm-simd.ts). CSR SpMMs (sparse 1x1 convs and MatMuls,
 * spmm-simd.ts) run on this thread's engine. Split jobs (quantized, BSR sparse, other depthwise windows) go to the pool as before.
 */
export class SimdParallel implements ParallelGemm {
  constructor(readonly simd: SimdGemm, private readonly pool?: GemmPool) {}

  get threads(): number { return this.pool?.threads ?? 1; }

  sgemm(...args: SgemmArgs): boolean {
    if (this.pool?.sgemm(...args, this.simd)) return true;
    const [M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, , , epi, bias, biasOff] = args;
    return this.simd.sgemm(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, epi, bias, biasOff);
  }

  /** A batch of products on the pool's engines; false (the caller runs the items) without a pool or where it does not take them. */
  sgemmBatch(...args: SgemmBatchArgs): boolean {
    return this.pool?.batched(args, this.simd) ?? false;
  }

  split(kind: JobKind, work: number, extent: number, grain: number, arrays: readonly (JobArray | undefined)[], ints: readonly number[], floats: readonly number[]): boolean {
    return this.pool?.split(kind, work, extent, grain, arrays, ints, floats, this.simd) ?? false;
  }

  /** Whole images across the pool's engines (the 'convImages' job), when the pool takes them. */
  convImages(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvPlan): boolean {
    if (!this.pool || p.K === 0) return false;
    const keep = p.group === 1 && this.simd.keepable(w, 'A', 0, p.K, 1, p.M, p.K), { ints, floats } = convImagesInts(p, keep);
    return this.pool.split('convImages', p.N * p.M * p.P * p.K, p.N, 1, [x, w, b, y], ints, floats, this.simd);
  }

  /** Split by planes across the pool's engines when the pool takes it, else on this thread's engine. */
  depthwise(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, r: DepthwiseRun): boolean {
    if (!simdDepthwiseSupported(r.plan.win)) return false;
    if (this.pool?.split('depthwiseSimd', r.work * DEPTHWISE_MAC_COST, r.planes, 1, [x, w, b, y], r.ints, r.floats, this.simd)) return true;
    return depthwiseSimd(this.simd, x, w, b, y, r.plan, 0, r.planes);
  }

  /**
   * On this thread's engine, not split across the pool: the SIMD kernel on one core outruns the
   * JavaScript one on several (measured 3.5-5x per core on MobileNetV2's pointwise convs at 90%), and a
   * pruned layer is too little work to pay a hand-off. BSR operands go back to the caller.
   */
  spmm(w: SparseOperand, lanes: number, x: Float32Array, xOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean {
    return spmmSimd(this.simd, w, lanes, x, xOff, y, yOff, e);
  }

  /** SparseMatMul's product on this thread's engine, not split, as spmm(). */
  spmmRows(w: SparseOperand, rows: number, a: Float32Array, aOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean {
    return spmmSimdRows(this.simd, w, rows, a, aOff, y, yOff, e);
  }

  /**
   * Split by row pairs across the pool's engines (the 'q8gemmSimd' job) when the pool takes it,
   * else on this thread's engine: int8 DistilBERT S=128 on two threads 233-244 ms with the split,
   * 332-333 without (one thread's speed), same runs.
   */
  q8gemm(M: number, K: number, N: number, a: Float32Array, aOff: number, lda: number, w: Q8Weights, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number): boolean {
    const ints = [M, K, N, aOff, lda, yOff, rsY, csY, w.kpad, w.chans];
    if (this.pool?.split('q8gemmSimd', M * K * N, M, 2, [a, w.words, w.scales, bias, y], ints, [], this.simd)) return true;
    q8GemmSimd(this.simd, M, K, N, a, aOff, lda, w, bias, y, yOff, rsY, csY);
    return true;
  }
}
