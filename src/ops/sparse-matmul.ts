import { defineOp, OpError } from './types.js';
import { input, sameDim, showShape } from './dims.js';
import { FusedMatMul } from './fused.js';
import type { Activation } from './gemm.js';

export interface SparseMatMulAttrs {
  /** Fused epilogue, as FusedMatMul's (`activation`, `activation_params`). */
  activation?: Activation;
}

/**
 * Internal op (domain 'tessera'), produced by sparsify(): Y = act(A @ W + bias) with W a packed
 * sparse weight (CSR or BSR, see src/sparse/formats) of logical shape [K, N]. A is [..., K]
 * float32 (every leading dim is more rows); the optional bias is [N]. MatMul, FusedMatMul and
 * Gemm (transA = 0, alpha and a row-broadcast C folded in) lower to it.
 */
export const SparseMatMul = defineOp<SparseMatMulAttrs>({
  name: 'SparseMatMul',
  domain: 'tessera',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: FusedMatMul.attributes,
  parse: (raw) => ({ activation: FusedMatMul.parse(raw).activation }),
  infer(inputs) {
    const a = input(inputs, 0, 'A'), w = input(inputs, 1, 'W'), bias = inputs[2];
    if (a.dtype !== 'float32') throw new OpError(`input A must be float32, got ${a.dtype}`);
    if (w.dtype !== 'float32') throw new OpError(`input W must be a float32 (packed sparse) weight, got ${w.dtype}`);
    if (a.shape.length < 1) throw new OpError(`input A must have rank >= 1, got a scalar`);
    if (w.shape.length !== 2) throw new OpError(`input W must be 2-D [K, N], got shape ${showShape(w.shape)}`);
    const [K, N] = w.shape;
    sameDim(a.shape[a.shape.length - 1], K, `inner dimensions of A ${showShape(a.shape)} and W ${showShape(w.shape)} differ`);
    if (bias) {
      if (bias.dtype !== 'float32') throw new OpError(`input bias must be float32, got ${bias.dtype}`);
      if (bias.shape.length !== 1) throw new OpError(`input bias must be 1-D [N], got ${showShape(bias.shape)}`);
      sameDim(bias.shape[0], N, `input bias length must equal N (W is ${showShape(w.shape)})`);
    }
    return [{ dtype: 'float32', shape: [...a.shape.slice(0, -1), N] }];
  },
});
