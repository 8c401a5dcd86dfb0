import type { RangeAttrs } from '../../src/ops/range.js';
import { cpuKernel } from '../types.js';


export const range = cpuKernel<RangeAttrs>({
  run(inputs, _attrs, outputs) {
    const start = inputs[0]!.data[0], delta = inputs[2]!.data[0], o = outputs[0].data;
    // start + i * delta, not a running sum: float error does not accumulate along the output.
    for (let i = 0; i < o.length; i++) o[i] = start + i * delta;
  },
});
