import type { QConvAttrs } from '../../src/ops/q-conv.js';
import { cpuKernel } from '../types.js';
import { convScratchBytes, prepareConv, runConv, type ConvPlan } from './conv.js';
import { quantView } from './q-weights.js';
import type { ParallelGemm } from './parallel.js';

interface Plan { conv: ConvPlan; w: Float32Array }

/**
 * QConv with float inputs (int8 or int4 weights; quantize()'s default for convs) on the
 * 'wasm-simd' tier: the weight is dequantized once per plan and the conv runs as a float conv
 * on the SIMD engine. The JavaScript integer cores (q-conv.ts) ran MobileNetV2's convs about 5x
 * slower than the float32 SIMD GEMM; this keeps the quantized model's file and graph 4-8x
 * smaller at float speed, and costs the plan one float copy of the (small) conv weights.
 */
export const qConvSimd = cpuKernel<QConvAttrs, Plan>({
  prepare(attrs, inputs, outputs) {
    return { conv: prepareConv(attrs, inputs, outputs), w: quantView(inputs[1].packed, 'QConv', 0).dequantize().data };
  },
  scratchBytes: (p) => convScratchBytes(p.conv),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    runConv(inputs[0]!.data as Float32Array, p.w, inputs[2]?.data as Float32Array | undefined, outputs[0].data as Float32Array, p.conv, scratch, par);
  },
});

/** What the SIMD tier takes: float inputs (inputs quantized per pixel stay on the integer cores). */
export function qConvSimdSupports(attrs: QConvAttrs): boolean {
  return attrs.inputQuant !== 'int8';
}
