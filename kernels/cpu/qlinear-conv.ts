import type { ConvAttrs } from '../../src/ops/conv.js';
import { cpuKernel } from '../types.js';
import { roundHalfEven } from './q-round.js';
import { ScratchCache } from './q-scratch.js';
import { satRange } from './q-linear-params.js';
import { integerConv, prepareIntConv, type IntConvPlan } from './conv-integer.js';

interface Plan extends IntConvPlan { lo: number; hi: number; P: number; scratch: ScratchCache }

/** Integer conv + int32 bias, requantized per output channel in float32 (onnxruntime's order). */
export const qLinearConv = cpuKernel<ConvAttrs, Plan>({
  prepare(attrs, inputs, outputs) {
    const [lo, hi] = satRange(outputs[0].dtype), y = outputs[0].shape;
    const size = y.reduce((a, b) => a * b, 1);
    return { ...prepareIntConv(attrs, inputs[0].shape, inputs[3].shape, y), lo, hi, P: y.slice(2).reduce((a, b) => a * b, 1), scratch: new ScratchCache({ f64: [], f32: [], i32: [size] }) };
  },
  scratchBytes: (_p, _i, outputs) => outputs[0].shape.reduce((a, b) => a * b, 1) * 4,
  run(inputs, p, outputs, scratch) {
    const y = outputs[0].data, acc = p.scratch.views(scratch).i32[0];
    const xs = inputs[1]!.data[0], ws = inputs[4]!.data, ys = inputs[6]!.data[0], yz = inputs[7]!.data[0], bias = inputs[8]?.data;
    integerConv(inputs[0]!.data, inputs[3]!.data, inputs[2]!.data[0], inputs[5]!.data, p, acc);
    const f = Math.fround, { N, M, P, lo, hi } = p;
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) {
      const mult = f(f(xs * ws[ws.length > 1 ? m : 0]) / ys), b = bias ? bias[m] : 0;
      for (let i = (n * M + m) * P, e = i + P; i < e; i++) {
        const q = roundHalfEven(f(f((acc[i] + b) | 0) * mult)) + yz;
        y[i] = q < lo ? lo : q > hi ? hi : q;
      }
    }
  },
});
