import type { GemmEpilogue } from './gemm-epilogue.js';

/**
 * A way to run one sgemm across threads, handed to kernels by the executor (src/runtime/cpu
 * threads.ts implements it with worker_threads). `sgemm` returns false when it will not split
 * the product (too small, an operand outside shared memory, no workers), and the caller then
 * runs it on its own thread, so a kernel never depends on threads being there.
 */
export interface ParallelGemm {
  sgemm(
    M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    b: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, ws: Float32Array | undefined, wsOff: number,
    epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
  ): boolean;
}
