import type { SplitAttrs } from '../../src/ops/split.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

/** Concat in reverse: per index over the dims before the axis, one run into each output. */
export interface SplitPlan { outer: number; runs: Int32Array }

export const split = cpuKernel<SplitAttrs, SplitPlan>({
  prepare(attrs, inputs, outputs) {
    const shape = inputs[0].shape, r = shape.length, axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    let outer = 1, inner = 1;
    for (let i = 0; i < axis; i++) outer *= shape[i];
    for (let i = axis + 1; i < r; i++) inner *= shape[i];
    return { outer, runs: Int32Array.from(outputs, (t) => t.shape[axis] * inner) };
  },
  run(inputs, { outer, runs }, outputs) {
    const x = inputs[0]!.data;
    let off = 0;
    for (let b = 0; b < outer; b++) {
      for (let k = 0; k < runs.length; k++) {
        const n = runs[k];
        copyRun(x, off, outputs[k].data, b * n, n);
        off += n;
      }
    }
  },
});
