import type { WhereAttrs } from '../../src/ops/where.js';
import { cpuKernel } from '../types.js';
import { planBroadcastN, type BroadcastPlan } from './expand.js';

export const where = cpuKernel<WhereAttrs, BroadcastPlan>({
  prepare: (_attrs, inputs, outputs) => planBroadcastN(inputs.map((t) => t.shape), outputs[0].shape),
  run(inputs, { dims, strides, idx }, outputs) {
    const sc = strides[0], sx = strides[1], sy = strides[2];
    const c = inputs[0]!.data, x = inputs[1]!.data, y = inputs[2]!.data, o = outputs[0].data;
    if (o.length === 0) return;
    const r = dims.length, n = dims[r - 1], dc = sc[r - 1], dx = sx[r - 1], dy = sy[r - 1];
    idx.fill(0);
    let ci = 0, xi = 0, yi = 0;
    for (let oi = 0; oi < o.length;) {
      for (let j = 0, a = ci, b = xi, e = yi; j < n; j++, oi++, a += dc, b += dx, e += dy) o[oi] = c[a] ? x[b] : y[e];
      for (let d = r - 2; d >= 0; d--) {
        ci += sc[d]; xi += sx[d]; yi += sy[d];
        if (++idx[d] < dims[d]) break;
        ci -= sc[d] * dims[d]; xi -= sx[d] * dims[d]; yi -= sy[d] * dims[d];
        idx[d] = 0;
      }
    }
  },
});
