import type { GatherAttrs } from '../../src/ops/gather.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

/** data viewed as [outer, d, inner]; each index picks one run of `inner` elements per outer row. */
export interface GatherPlan { axis: number; outer: number; d: number; inner: number }

export const gather = cpuKernel<GatherAttrs, GatherPlan>({
  prepare(attrs, inputs) {
    const shape = inputs[0].shape, r = shape.length, axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    let outer = 1, inner = 1;
    for (let i = 0; i < axis; i++) outer *= shape[i];
    for (let i = axis + 1; i < r; i++) inner *= shape[i];
    return { axis, outer, d: shape[axis], inner };
  },
  run(inputs, { axis, outer, d, inner }, outputs) {
    const x = inputs[0]!.data, idx = inputs[1]!.data, o = outputs[0].data, n = idx.length;
    // Checking is one pass over the indices; an out-of-range read would silently give undefined.
    for (let j = 0; j < n; j++) {
      const k = idx[j];
      if (k < -d || k >= d) throw new RangeError(`Gather: index ${k} (position ${j}) is out of range for axis ${axis} of size ${d}; valid indices are ${-d}..${d - 1}`);
    }
    for (let b = 0, oi = 0; b < outer; b++) {
      for (let j = 0; j < n; j++, oi += inner) {
        const k = idx[j] < 0 ? idx[j] + d : idx[j];
        copyRun(x, (b * d + k) * inner, o, oi, inner);
      }
    }
  },
});
