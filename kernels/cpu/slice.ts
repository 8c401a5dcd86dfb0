import type { SliceAttrs } from '../../src/ops/slice.js';
import { cpuKernel } from '../types.js';
import { resolveSlice } from '../index-math.js';
import { copyRun } from './identity.js';


export interface SlicePlan {
  inStrides: Int32Array;
  start: Int32Array;
  step: Int32Array;
  count: Int32Array;
  idx: Int32Array;
}

export const slice = cpuKernel<SliceAttrs, SlicePlan>({
  prepare(_attrs, inputs) {
    const shape = inputs[0].shape, r = shape.length, inStrides = new Int32Array(r);
    for (let i = r - 1, acc = 1; i >= 0; i--) { inStrides[i] = acc; acc *= shape[i]; }
    return { inStrides, start: new Int32Array(r), step: new Int32Array(r), count: new Int32Array(r), idx: new Int32Array(r) };
  },
  run(inputs, p, outputs) {
    const x = inputs[0]!, o = outputs[0].data, r = x.shape.length;
    if (o.length === 0) return;
    const err = resolveSlice(x.shape, inputs[1]!.data, inputs[2]!.data, inputs[3]?.data, inputs[4]?.data, p.start, p.step, p.count);
    if (err) throw new Error(`Slice: ${err}`);
    const { start, step, count, inStrides, idx } = p;
    // Axes after `last` are whole: each output position of `last` is one contiguous run.
    let last = r - 1, inner = 1;
    while (last >= 0 && start[last] === 0 && step[last] === 1 && count[last] === x.shape[last]) inner *= x.shape[last--];
    if (last < 0) { copyRun(x.data, 0, o, 0, o.length); return; }
    let base = 0;
    for (let a = 0; a <= last; a++) { base += start[a] * inStrides[a]; idx[a] = 0; }
    const n = count[last], jump = step[last] * inStrides[last];
    for (let oi = 0; oi < o.length;) {
      if (step[last] === 1) { copyRun(x.data, base, o, oi, n * inner); oi += n * inner; }
      else if (inner === 1) for (let j = 0, xi = base; j < n; j++, xi += jump) o[oi++] = x.data[xi];
      else for (let j = 0, xi = base; j < n; j++, xi += jump, oi += inner) copyRun(x.data, xi, o, oi, inner);
      for (let a = last - 1; a >= 0; a--) {
        base += step[a] * inStrides[a];
        if (++idx[a] < count[a]) break;
        base -= count[a] * step[a] * inStrides[a];
        idx[a] = 0;
      }
    }
  },
});
