import type { GemmEpilogue } from '../../../kernels/cpu/gemm-epilogue.js';
import type { ParallelGemm } from '../../../kernels/cpu/parallel.js';
import type { JobArray, JobKind } from '../../../kernels/cpu/jobs.js';
import type { SimdGemm } from '../../../kernels/cpu/sgemm-simd.js';
import type { GemmPool } from './threads.js';

/**
 * What the executor hands the steps planned on the 'wasm-simd' tier in place of the thread
 * pool: their GEMMs run on the WebAssembly SIMD engine, split across the pool's threads (each
 * worker with its own engine) when the pool takes them, else on this thread. Split jobs
 * (quantized, sparse, depthwise) go to the pool as before.
 */
export class SimdParallel implements ParallelGemm {
  constructor(private readonly simd: SimdGemm, private readonly pool?: GemmPool) {}

  get threads(): number { return this.pool?.threads ?? 1; }

  sgemm(
    M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    b: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, ws: Float32Array | undefined, wsOff: number,
    epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
  ): boolean {
    const pool = this.pool;
    if (pool?.sgemm(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, ws, wsOff, epi, bias, biasOff, this.simd)) return true;
    return this.simd.sgemm(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, epi, bias, biasOff);
  }

  split(kind: JobKind, work: number, extent: number, grain: number, arrays: readonly (JobArray | undefined)[], ints: readonly number[], floats: readonly number[]): boolean {
    return this.pool?.split(kind, work, extent, grain, arrays, ints, floats) ?? false;
  }
}
