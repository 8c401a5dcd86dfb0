import type { QuantizeLinearAttrs } from '../../src/ops/quantize-linear.js';
import { cpuKernel } from '../types.js';
import { roundHalfEven } from './q-round.js';
import { axisParams, satRange, type AxisParams } from './q-linear-params.js';

interface Plan extends AxisParams { lo: number; hi: number }

/** y = saturate(roundHalfEven(float32(x / scale)) + zero_point). */
export const quantizeLinear = cpuKernel<QuantizeLinearAttrs, Plan>({
  prepare: (attrs, inputs, outputs) => {
    const [lo, hi] = satRange(outputs[0].dtype);
    return { ...axisParams(inputs[0].shape, inputs[1], attrs.axis), lo, hi };
  },
  run(inputs, { d, inner, lo, hi }, outputs) {
    const x = inputs[0]!.data, s = inputs[1]!.data, z = inputs[2]?.data, y = outputs[0].data;
    for (let i = 0; i < y.length; i++) {
      const c = d === 1 ? 0 : Math.floor(i / inner) % d;
      const q = roundHalfEven(Math.fround(x[i] / s[c])) + (z ? z[c] : 0);
      y[i] = q < lo ? lo : q > hi ? hi : q;
    }
  },
});
