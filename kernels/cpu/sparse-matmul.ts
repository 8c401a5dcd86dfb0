import type { SparseMatMulAttrs } from '../../src/ops/sparse-matmul.js';
import { cpuKernel } from '../types.js';
import { planSparseEpilogue, type SparseEpilogue } from './sparse-epilogue.js';
import { sparseOperand, type SparseOperand } from './sparse-weight.js';
import { spmm } from './sparse-spmm.js';
import { splitSpmm } from './sparse-split.js';
import type { ParallelGemm } from './parallel.js';
import { activate } from './gemm.js';

interface SparseMatMulPlan {
  /** Rows of A (all leading dims), depth K, outputs N. */
  M: number; K: number; N: number;
  w: SparseOperand;
  hasBias: boolean;
  /** Reused by every run (runs are synchronous): the bias is pointed at the input's data. */
  e: SparseEpilogue;
  acc: Float64Array;
}

/** Rows of A transposed per chunk (a multiple of 8): bounds scratch at K * 128 floats. */
const CHUNK = 128;

/**
 * Y = act(A @ W + bias), W sparse. Up to 128 rows of A at a time are transposed into a [K, rows]
 * panel in scratch, so the rows a nonzero W[k, n] multiplies sit side by side as the SpMM's
 * lanes; each output channel then runs over all lane tiles while its nonzeros are hot. A single
 * row is read in place.
 */
export const sparseMatMul = cpuKernel<SparseMatMulAttrs, SparseMatMulPlan>({
  prepare(attrs, inputs) {
    const a = inputs[0].shape, [K, N] = inputs[1].shape;
    const M = K === 0 ? a.slice(0, -1).reduce((x, y) => x * y, 1) : a.reduce((x, y) => x * y, 1) / K;
    const hasBias = inputs.length > 2 && inputs[2].shape.length === 1;
    const w = sparseOperand(inputs[1], N, K, 'input W');
    return { M, K, N, w, hasBias, e: { bias: undefined, ...planSparseEpilogue(attrs.activation) }, acc: new Float64Array(32) };
  },
  scratchBytes: (p) => (p.M > 1 ? p.K * Math.min(CHUNK, p.M) * 4 : 0),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const a = inputs[0]!.data as Float32Array, y = outputs[0].data as Float32Array, { M, K, N, w, e } = p;
    e.bias = p.hasBias ? (inputs[2]!.data as Float32Array) : undefined;
    // The SIMD engine's hook first (steps on the 'wasm-simd' tier; a single row stays here, read in place).
    if (M > 1 && par?.spmmRows?.(w, M, a, 0, y, 0, e)) {
      if (e.post) activate(y, 0, M * N, e.post);
      return;
    }
    if (M === 1 && !splitSpmm(par, w, 1, a, 0, 1, y, 0, 1, N, e)) spmm(w, 1, a, 0, 1, y, 0, 1, N, e, p.acc);
    for (let m0 = 0; M > 1 && m0 < M; m0 += CHUNK) {
      const T = Math.min(CHUNK, M - m0);
      for (let t = 0; t < T; t++) {
        const row = (m0 + t) * K;
        for (let k = 0, q = t; k < K; k++, q += T) scratch[q] = a[row + k];
      }
      if (!splitSpmm(par, w, T, scratch, 0, T, y, m0 * N, 1, N, e, true)) spmm(w, T, scratch, 0, T, y, m0 * N, 1, N, e, p.acc, true);
    }
    if (e.post) activate(y, 0, M * N, e.post);
  },
});
