import type { SparseConvAttrs } from '../../src/ops/sparse-conv.js';
import { cpuKernel } from '../types.js';
import { planSparseEpilogue, type SparseEpilogue } from './sparse-epilogue.js';
import { sparseOperand, type SparseOperand } from './sparse-weight.js';
import { spmm } from './sparse-spmm.js';
import { splitSpmm } from './sparse-split.js';
import type { ParallelGemm } from './parallel.js';
import { activate } from './gemm.js';

interface SparseConvPlan {
  N: number; C: number; M: number;
  /** Pixels per channel. */
  P: number;
  w: SparseOperand;
  hasBias: boolean;
  e: SparseEpilogue;
  acc: Float64Array;
}

/**
 * Pointwise convolution with a sparse weight, NCHW: per image, Y[m, :] = act(b[m] + sum over the
 * nonzeros W[m, c] of W[m, c] * X[c, :]). Pixels are the SpMM lanes, read in place.
 */
export const sparseConv = cpuKernel<SparseConvAttrs, SparseConvPlan>({
  prepare(attrs, inputs, outputs) {
    const x = inputs[0].shape, M = outputs[0].shape[1], [N, C] = x, P = x.slice(2).reduce((a, b) => a * b, 1);
    const hasBias = inputs.length > 2 && inputs[2].shape.length === 1;
    const w = sparseOperand(inputs[1], M, C, 'input W');
    return { N, C, M, P, w, hasBias, e: { bias: undefined, ...planSparseEpilogue(attrs.activation) }, acc: new Float64Array(32) };
  },
  run(inputs, p, outputs, _scratch, par?: ParallelGemm) {
    const x = inputs[0]!.data as Float32Array, y = outputs[0].data as Float32Array, { N, C, M, P, e } = p;
    e.bias = p.hasBias ? (inputs[2]!.data as Float32Array) : undefined;
    for (let n = 0; n < N; n++) {
      // The SIMD engine's hook first (steps on the 'wasm-simd' tier), then threads, then here.
      if (par?.spmm?.(p.w, P, x, n * C * P, y, n * M * P, e)) continue;
      if (!splitSpmm(par, p.w, P, x, n * C * P, P, y, n * M * P, P, 1, e, false, true)) spmm(p.w, P, x, n * C * P, P, y, n * M * P, P, 1, e, p.acc);
    }
    if (e.post) activate(y, 0, N * M * P, e.post);
  },
});
