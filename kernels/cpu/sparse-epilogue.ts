import type { Activation } from '../../src/ops/gemm.js';
import { planActivation, type ActivationPlan } from './gemm.js';

/**
 * The fused epilogue of the sparse kernels. The bias is where the sums start; ReLU and
 * Clip(0, hi) (ReLU6) are applied to the sums in registers, branch-free, because a ternary
 * clamp mispredicts on about half of all outputs (random signs) and costs more than a sparse
 * product's whole inner loop on MobileNet's thin layers (measured: 7x slower on 1.2M outputs);
 * every other activation runs as one pass over the output afterwards (`post`).
 *
 *   relu(v)        = (v + |v|) / 2                 exact (NaN stays NaN)
 *   min(r, hi)     = hi - relu(hi - r), r >= 0     exact for r >= hi / 2 (Sterbenz); below it
 *                                                  within 2^-52 * hi absolute, under float32's
 *                                                  resolution for outputs above about 1e-8
 */
export interface SparseEpilogue {
  bias: Float32Array | undefined;
  /** 0: none, 1: relu, 2: relu then min(hi). */
  code: number;
  hi: number;
  /** Applied after the product, over the whole output (sigmoid, SiLU, GELU, other clips). */
  post: ActivationPlan | undefined;
}

/** The epilogue's clamp as bounds (for a kernel that clamps with min/max): [lo, hi]. */
export function sparseClampBounds(e: Pick<SparseEpilogue, 'code' | 'hi'>): [number, number] {
  return [e.code === 0 ? -Infinity : 0, e.code === 2 ? e.hi : Infinity];
}

export function planSparseEpilogue(act: Activation | undefined): Omit<SparseEpilogue, 'bias'> {
  const none = { code: 0, hi: Infinity, post: undefined };
  if (!act) return none;
  if (act.kind === 'relu') return { ...none, code: 1 };
  if (act.kind === 'clip' && (act.min ?? -Infinity) === 0) {
    const hi = act.max ?? Infinity;
    if (hi === Infinity) return { ...none, code: 1 };
    if (hi > 0) return { ...none, code: 2, hi };
  }
  return { ...none, post: planActivation(act) };
}

/**
 * The in-register epilogue on `n` outputs already stored (sum + bias, float32) at y[q],
 * y[q + stride], ...: for the kernels whose tiles are too wide to spell it out. Clamping the
 * float32-rounded sum gives the same result as clamping the sum (rounding is monotone and 0
 * and hi are float32 values).
 */
export function clampStored(y: Float32Array, q: number, n: number, stride: number, code: number, hi: number): void {
  for (let i = 0; i < n; i++, q += stride) {
    let v = y[q];
    v = (v + Math.abs(v)) * 0.5;
    if (code === 2) { const d = hi - v; v = hi - (d + Math.abs(d)) * 0.5; }
    y[q] = v;
  }
}
