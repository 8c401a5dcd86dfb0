import { at, type RefTensor } from './tensor.js';
import { erf64 } from './unary.js';

export interface RefActivation { kind: string; min?: number; max?: number }

/** A fused epilogue activation, in float64. */
export function activationRef(v: number, act: RefActivation | undefined): number {
  if (!act) return v;
  switch (act.kind) {
    case 'relu': return Math.max(v, 0);
    case 'clip': return Math.min(Math.max(v, act.min ?? -Infinity), act.max ?? Infinity);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'silu': return v / (1 + Math.exp(-v));
    case 'gelu': return 0.5 * v * (1 + erf64(v / Math.SQRT2));
    case 'gelu_tanh': return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    default: throw new Error(`unknown activation ${act.kind}`);
  }
}

/** Y[i, j] = act(alpha * sum_k A'[i, k] B'[k, j] + beta * C[i, j] (broadcast)). */
export function gemmRef(a: RefTensor, b: RefTensor, c: RefTensor | undefined,
  o: { transA: boolean; transB: boolean; alpha: number; beta: number; activation?: RefActivation }): RefTensor {
  const A = (i: number, k: number) => (o.transA ? a.data[k * a.shape[1] + i] : a.data[i * a.shape[1] + k]);
  const B = (k: number, j: number) => (o.transB ? b.data[j * b.shape[1] + k] : b.data[k * b.shape[1] + j]);
  const M = o.transA ? a.shape[1] : a.shape[0], K = o.transA ? a.shape[0] : a.shape[1];
  const N = o.transB ? b.shape[0] : b.shape[1];
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A(i, k) * B(k, j);
      let v = o.alpha * s;
      if (c) v += o.beta * at(c, [i, j]);
      out[i * N + j] = activationRef(v, o.activation);
    }
  }
  return { shape: [M, N], data: out };
}
