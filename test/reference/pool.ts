import { ravel, size, unravel, type RefTensor } from './tensor.js';
import { refGeometry, type RefWindow } from './conv.js';

/** Global pools: one value per (n, c) over all spatial positions (mean of none is NaN, max of none -Infinity). */
export function globalPoolRef(x: RefTensor, kind: 'avg' | 'max'): RefTensor {
  const [N, C] = x.shape, S = size(x.shape.slice(2)), shape = [N, C, ...x.shape.slice(2).map(() => 1)];
  const y = new Float64Array(N * C);
  for (let r = 0; r < N * C; r++) {
    const vals = Array.from(x.data.subarray(r * S, (r + 1) * S));
    y[r] = kind === 'avg' ? vals.reduce((a, b) => a + b, 0) / S : Math.max(-Infinity, ...vals);
  }
  return { shape, data: y };
}

export interface PoolRefResult { y: RefTensor; indices: number[] }

/**
 * AveragePool / MaxPool, any spatial rank. Taps in the padding are skipped; the average divides by
 * the taps inside X, or with countIncludePad by the taps inside the padded extent
 * [-padBegin, size + padEnd). Max of an empty window is `lowest` with index -1; ties keep the first.
 */
export function poolRef(x: RefTensor, kind: 'avg' | 'max', win: RefWindow, opts: { countIncludePad?: boolean; lowest?: number; columnMajor?: boolean } = {}): PoolRefResult {
  const spatial = x.shape.slice(2), { out, padBegin, padEnd } = refGeometry(spatial, win);
  const shape = [x.shape[0], x.shape[1], ...out], y = new Float64Array(size(shape)), indices: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const [n, c, ...o] = unravel(i, shape);
    let sum = 0, inside = 0, padded = 0, best = opts.lowest ?? -Infinity, at = -1;
    for (let t = 0; t < size(win.kernel); t++) {
      const k = unravel(t, win.kernel);
      const pos = o.map((od, d) => od * win.strides[d] - padBegin[d] + k[d] * win.dilations[d]);
      if (pos.every((p, d) => p >= -padBegin[d] && p < spatial[d] + padEnd[d])) padded++;
      if (pos.some((p, d) => p < 0 || p >= spatial[d])) continue;
      const v = x.data[ravel([n, c, ...pos], x.shape)];
      inside++; sum += v;
      if (at < 0 || v > best) {
        best = v;
        const sp = opts.columnMajor ? ravel(pos.slice().reverse(), spatial.slice().reverse()) : ravel(pos, spatial);
        at = (n * x.shape[1] + c) * size(spatial) + sp;
      }
    }
    y[i] = kind === 'avg' ? sum / (opts.countIncludePad ? padded : inside) : best;
    indices.push(at);
  }
  return { y: { shape, data: y }, indices };
}
