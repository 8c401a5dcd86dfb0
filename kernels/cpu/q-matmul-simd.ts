import type { QMatMulAttrs } from '../../src/ops/q-matmul.js';
import { cpuKernel } from '../types.js';
import { activate, planActivation, type ActivationPlan } from './gemm.js';
import { qMatMul } from './q-matmul.js';
import { quantView, type Int8View } from './q-weights.js';
import { q8Weights, type Q8Weights } from './qgemm-simd.js';
import type { ParallelGemm } from './parallel.js';

interface Plan { base: unknown; M: number; K: number; N: number; w: Q8Weights; act: ActivationPlan }

/**
 * QMatMul on the 'wasm-simd' tier (int8 weights with int8-dynamic inputs): the product on the
 * engine's int8 GEMM (qgemm-simd.ts), whose weight layout is made here once per plan; the
 * JavaScript kernel's plan is kept for an executor without the engine hook.
 */
export const qMatMulSimd = cpuKernel<QMatMulAttrs, Plan>({
  prepare(attrs, inputs, outputs) {
    const base = qMatMul.prepare!(attrs, inputs, outputs), [K, N] = inputs[1].shape;
    const a = inputs[0].shape, M = a.length === 1 ? 1 : a.slice(0, -1).reduce((x, y) => x * y, 1);
    return { base, M, K, N, w: q8Weights(quantView(inputs[1].packed, 'QMatMul', 1) as Int8View), act: planActivation(attrs.activation) };
  },
  scratchBytes: (p, inputs, outputs) => qMatMul.scratchBytes!(p.base as never, inputs, outputs),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const a = inputs[0]!.data as Float32Array, y = outputs[0].data as Float32Array, bias = inputs[2]?.data as Float32Array | undefined, { M, K, N } = p;
    if (!par?.q8gemm?.(M, K, N, a, 0, K, p.w, bias, y, 0, N, 1)) { (qMatMul.run as (...x: unknown[]) => void)(inputs, p.base, outputs, scratch, par); return; }
    if (p.act.code !== 0) for (let r = 0; r < M; r++) activate(y, r * N, N, p.act);
  },
});

/** What the SIMD tier takes: int8 weights with inputs quantized at run time. */
export function qMatMulSimdSupports(attrs: QMatMulAttrs, inputs: readonly { packed?: { format: string } }[]): boolean {
  return attrs.inputQuant === 'int8' && inputs[1]?.packed?.format === 'int8';
}
