import type { GemmAttrs } from '../../src/ops/gemm.js';
import { webgpuKernel } from './types.js';
import { gemmDispatch } from './matmul.js';

/**
 * Gemm / FusedGemm: Y = act(alpha * A' B' + beta * C) as one matmul-program dispatch; the
 * transposes are index swaps in the loads, C broadcasts through row/column strides (0 along a
 * broadcast dim).
 */
export const gemm = webgpuKernel<GemmAttrs>({
  lower(attrs, inputs, outputs, env) {
    const a = inputs[0]!.shape, [M, N] = outputs[0]!.shape;
    if (M * N === 0) return { dispatches: [] };
    const K = attrs.transA ? a[0] : a[1];
    const cMeta = inputs[2];
    let c: { rs: number; cs: number; beta: number } | undefined;
    if (cMeta && attrs.beta !== 0) {
      const s = cMeta.shape, rows = s.length === 2 ? s[0] : 1, cols = s.length >= 1 ? s[s.length - 1] : 1;
      c = { rs: rows === 1 ? 0 : cols, cs: cols === 1 ? 0 : 1, beta: attrs.beta };
    }
    const d = gemmDispatch({
      M, N, K, transA: attrs.transA, transB: attrs.transB, batch: { dims: [], as: [], bs: [] }, c, alpha: attrs.alpha,
      act: attrs.activation && { kind: attrs.activation.kind, min: attrs.activation.min, max: attrs.activation.max },
    }, env, inputs[0]!.dtype);
    return typeof d === 'string' ? { unsupported: d } : { dispatches: [d] };
  },
});
