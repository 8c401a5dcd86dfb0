import type { DequantizeLinearAttrs } from '../../src/ops/dequantize-linear.js';
import { cpuKernel } from '../types.js';
import { axisParams, type AxisParams } from './q-linear-params.js';

/** y = (x - zero_point) * scale, rounded once to float32. */
export const dequantizeLinear = cpuKernel<DequantizeLinearAttrs, AxisParams>({
  prepare: (attrs, inputs) => axisParams(inputs[0].shape, inputs[1], attrs.axis),
  run(inputs, { d, inner }, outputs) {
    const x = inputs[0]!.data, s = inputs[1]!.data, z = inputs[2]?.data, y = outputs[0].data;
    for (let i = 0; i < y.length; i++) {
      const c = d === 1 ? 0 : Math.floor(i / inner) % d;
      y[i] = (x[i] - (z ? z[c] : 0)) * s[c];
    }
  },
});
