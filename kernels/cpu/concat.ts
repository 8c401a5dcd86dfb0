import type { ConcatAttrs } from '../../src/ops/concat.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

/**
 * Concatenation as interleaved contiguous runs: for each index over the dims before the axis,
 * each input contributes one run of (its axis size x the dims after the axis) elements.
 */
export interface ConcatPlan {
  outer: number;
  /** Run length per input. */
  runs: Int32Array;
}

export const concat = cpuKernel<ConcatAttrs, ConcatPlan>({
  prepare(attrs, inputs, outputs) {
    const shape = outputs[0].shape, r = shape.length;
    const axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    let outer = 1, inner = 1;
    for (let i = 0; i < axis; i++) outer *= shape[i];
    for (let i = axis + 1; i < r; i++) inner *= shape[i];
    return { outer, runs: Int32Array.from(inputs, (t) => t.shape[axis] * inner) };
  },
  run(inputs, { outer, runs }, outputs) {
    const o = outputs[0].data;
    let off = 0;
    for (let b = 0; b < outer; b++) {
      for (let i = 0; i < runs.length; i++) {
        const n = runs[i];
        copyRun(inputs[i]!.data, b * n, o, off, n);
        off += n;
      }
    }
  },
});
