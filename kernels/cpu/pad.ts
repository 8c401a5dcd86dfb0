import type { PadAttrs } from '../../src/ops/pad.js';
import { cpuKernel } from '../types.js';
import { resolvePads } from '../index-math.js';
import { copyRun } from './identity.js';



/** Input index read by output index j on an axis of size d with leading pad p; -1: the constant. */
function source(mode: PadAttrs['mode'], j: number, p: number, d: number): number {
  const k = j - p;
  if (k >= 0 && k < d) return k;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return k < 0 ? 0 : d - 1;
  if (d === 1) return 0;
  const period = 2 * (d - 1), m = ((k % period) + period) % period; // reflect, bouncing as numpy does
  return m < d ? m : period - m;
}

export interface PadPlan {
  mode: PadAttrs['mode'];
  /** Per output axis: the input index each output index reads, or -1. */
  maps: Int32Array[];
  inStrides: Int32Array;
  begin: Int32Array;
  end: Int32Array;
  idx: Int32Array;
}

export const pad = cpuKernel<PadAttrs, PadPlan>({
  prepare(attrs, inputs, outputs) {
    const shape = inputs[0].shape, r = shape.length, inStrides = new Int32Array(r);
    for (let i = r - 1, acc = 1; i >= 0; i--) { inStrides[i] = acc; acc *= shape[i]; }
    return { mode: attrs.mode, maps: outputs[0].shape.map((d) => new Int32Array(d)), inStrides, begin: new Int32Array(r), end: new Int32Array(r), idx: new Int32Array(r) };
  },
  run(inputs, p, outputs) {
    const x = inputs[0]!, o = outputs[0].data, r = x.shape.length;
    if (o.length === 0) return;
    if (r === 0) { o[0] = x.data[0]; return; }
    const err = resolvePads(r, inputs[1]!.data, inputs[3]?.data, p.begin, p.end);
    if (err) throw new Error(`Pad: ${err}`);
    const { maps, inStrides, idx } = p;
    for (let a = 0; a < r; a++) for (let j = 0; j < maps[a].length; j++) maps[a][j] = source(p.mode, j, p.begin[a], x.shape[a]);
    const cv = inputs[2]?.data[0] ?? 0, last = maps[r - 1], n = last.length;
    // Constant mode: the last axis is constant | contiguous copy | constant.
    const lo = Math.max(0, Math.min(n, p.begin[r - 1])), hi = Math.max(lo, Math.min(n, p.begin[r - 1] + x.shape[r - 1]));
    idx.fill(0);
    for (let oi = 0; oi < o.length; oi += n) {
      let base = 0, inside = true;
      for (let a = 0; a < r - 1; a++) {
        const k = maps[a][idx[a]];
        if (k < 0) { inside = false; break; }
        base += k * inStrides[a];
      }
      if (!inside) o.fill(cv, oi, oi + n);
      else if (p.mode === 'constant') {
        o.fill(cv, oi, oi + lo);
        if (hi > lo) copyRun(x.data, base + last[lo], o, oi + lo, hi - lo);
        o.fill(cv, oi + hi, oi + n);
      } else for (let j = 0; j < n; j++) o[oi + j] = x.data[base + last[j]];
      for (let a = r - 2; a >= 0; a--) {
        if (++idx[a] < maps[a].length) break;
        idx[a] = 0;
      }
    }
  },
});
