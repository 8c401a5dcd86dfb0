import type { SliceAttrs } from '../../src/ops/slice.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

/**
 * ONNX Slice's inputs -> one (start, step, count) per data axis, written into the given arrays
 * (no allocation: the kernel calls this in run when starts/ends are not plan-time constants).
 * Axes not named are taken whole. Returns '' or what is wrong with the inputs.
 */
export function resolveSlice(
  dims: ArrayLike<number>, starts: ArrayLike<number>, ends: ArrayLike<number>,
  axes: ArrayLike<number> | undefined, steps: ArrayLike<number> | undefined,
  start: Int32Array, step: Int32Array, count: Int32Array,
): string {
  const r = dims.length, n = starts.length;
  if (ends.length !== n || (axes && axes.length !== n) || (steps && steps.length !== n)) {
    return `starts, ends${axes ? ', axes' : ''}${steps ? ', steps' : ''} must have one length, got ${starts.length}, ${ends.length}${axes ? `, ${axes.length}` : ''}${steps ? `, ${steps.length}` : ''}`;
  }
  for (let a = 0; a < r; a++) { start[a] = 0; step[a] = 1; count[a] = -1; }
  for (let i = 0; i < n; i++) {
    const a0 = axes ? axes[i] : i, a = a0 < 0 ? a0 + r : a0;
    if (!(a >= 0 && a < r)) return `axis ${a0} is out of range for rank ${r}`;
    if (count[a] !== -1) return `axis ${a0} is sliced twice`;
    const d = dims[a], st = steps ? steps[i] : 1;
    if (st === 0) return `step for axis ${a0} is 0`;
    let s = starts[i], e = ends[i];
    if (s < 0) s += d;
    if (e < 0) e += d;
    // Forward slices clamp to [0, d]; backward ones to [-1, d-1] (-1: "before the first").
    const lo = st > 0 ? 0 : -1, hi = st > 0 ? d : d - 1;
    s = s < lo ? lo : s > hi ? hi : s;
    e = e < lo ? lo : e > hi ? hi : e;
    start[a] = s; step[a] = st;
    count[a] = st > 0 ? (e > s ? Math.ceil((e - s) / st) : 0) : (s > e ? Math.ceil((s - e) / -st) : 0);
  }
  for (let a = 0; a < r; a++) if (count[a] === -1) count[a] = dims[a];
  return '';
}

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
