import type { ExpandAttrs } from '../../src/ops/expand.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

/**
 * Broadcast walk for any number of inputs: output dims (size-1 dims dropped, neighbours merged
 * while every input stays contiguous or constant across them) and each input's stride per dim
 * (0 where it broadcasts).
 */
export interface BroadcastPlan {
  dims: number[];
  strides: number[][];
  /** Odometer over all dims but the last; kernels run synchronously, one per plan suffices. */
  idx: Int32Array;
}

export function planBroadcastN(shapes: readonly (readonly number[])[], out: readonly number[]): BroadcastPlan {
  const r = out.length;
  const full = shapes.map((s) => {
    const st = new Array<number>(r).fill(0);
    for (let i = s.length - 1, acc = 1; i >= 0; i--) { st[r - s.length + i] = s[i] === 1 ? 0 : acc; acc *= s[i]; }
    return st;
  });
  const dims: number[] = [], strides: number[][] = shapes.map(() => []);
  for (let i = 0; i < r; i++) {
    if (out[i] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && full.every((st, j) => strides[j][k] === st[i] * out[i])) {
      dims[k] *= out[i];
      full.forEach((st, j) => { strides[j][k] = st[i]; });
    } else {
      dims.push(out[i]);
      full.forEach((st, j) => strides[j].push(st[i]));
    }
  }
  if (dims.length === 0) { dims.push(1); strides.forEach((s) => s.push(0)); }
  return { dims, strides, idx: new Int32Array(dims.length) };
}

export const expand = cpuKernel<ExpandAttrs, BroadcastPlan>({
  prepare: (_attrs, inputs, outputs) => planBroadcastN([inputs[0].shape], outputs[0].shape),
  run(inputs, { dims, strides, idx }, outputs) {
    const st = strides[0], x = inputs[0]!.data, o = outputs[0].data, r = dims.length, n = dims[r - 1], s = st[r - 1];
    if (o.length === 0) return;
    idx.fill(0);
    let xi = 0;
    for (let oi = 0; oi < o.length; oi += n) {
      if (s === 0) o.fill(x[xi], oi, oi + n); else copyRun(x, xi, o, oi, n);
      for (let d = r - 2; d >= 0; d--) {
        xi += st[d];
        if (++idx[d] < dims[d]) break;
        xi -= st[d] * dims[d];
        idx[d] = 0;
      }
    }
  },
});
