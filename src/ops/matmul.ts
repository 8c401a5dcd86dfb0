import { defineOp, OpError } from './types.js';
import type { Dim } from './types.js';
import { broadcast, expectDType, input, sameDim, showShape } from './dims.js';
import { checkActivation, type Activation } from './gemm.js';

export interface MatMulAttrs {
  /** Fused epilogue (not ONNX; set by the fusion pass): see Gemm's Activation. */
  activation?: Activation;
  /** Fused bias (not ONNX): a third input of shape [N] added to every output row. */
  bias?: true;
}

/**
 * numpy.matmul: a 1-D A is [1, K] and a 1-D B is [K, 1], the added dim dropped from the
 * result; leading (batch) dims broadcast.
 */
export const MatMul = defineOp<MatMulAttrs>({
  name: 'MatMul',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const a = input(inputs, 0, 'A'), b = input(inputs, 1, 'B');
    expectDType(a, 'A', ['float32', 'float16', 'int32', 'int64']);
    if (b.dtype !== a.dtype) throw new OpError(`inputs A and B must have the same dtype, got ${a.dtype} and ${b.dtype}`);
    if (a.shape.length === 0 || b.shape.length === 0) {
      throw new OpError(`MatMul needs inputs of rank >= 1, got A ${showShape(a.shape)} and B ${showShape(b.shape)}`);
    }
    const shape = matMulShape(a.shape, b.shape);
    const bias = inputs[2];
    if (bias && !attrs.bias) throw new OpError('MatMul takes 2 inputs; a third (bias) only with the fused bias flag set');
    if (attrs.bias) {
      const t = input(inputs, 2, 'bias');
      if (t.dtype !== a.dtype) throw new OpError(`input bias must be ${a.dtype} like A, got ${t.dtype}`);
      const N = b.shape.length === 1 ? 1 : b.shape[b.shape.length - 1];
      if (t.shape.length !== 1) throw new OpError(`input bias must be 1-D [N], got ${showShape(t.shape)}`);
      sameDim(t.shape[0], N, `input bias length must equal N (last dim of B ${showShape(b.shape)})`);
      if (a.dtype !== 'float32' && a.dtype !== 'float16') throw new OpError(`a fused bias needs float input, got ${a.dtype}`);
    }
    checkActivation(attrs.activation, a.dtype);
    return [{ dtype: a.dtype, shape }];
  },
});

/** Output shape of numpy.matmul for ranks >= 1. */
export function matMulShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
  const M = A[A.length - 2], Ka = A[A.length - 1], Kb = B[B.length - 2], N = B[B.length - 1];
  sameDim(Ka, Kb, `inner dimensions of A ${showShape(a)} and B ${showShape(b)} differ`);
  let batch: Dim[];
  try {
    batch = broadcast([A.slice(0, -2), B.slice(0, -2)]);
  } catch (e) {
    throw new OpError(`batch dimensions of A ${showShape(a)} and B ${showShape(b)} do not broadcast: ${(e as Error).message}`);
  }
  return [...batch, ...(a.length === 1 ? [] : [M]), ...(b.length === 1 ? [] : [N])];
}
