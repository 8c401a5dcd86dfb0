import type { GlobalPoolAttrs, PoolAttrs } from '../../src/ops/pool.js';
import type { KernelData } from '../../src/dtype.js';
import { cpuKernel, type KMeta } from '../types.js';
import { window2d, type Window2d } from './conv.js';

interface GlobalPlan { rows: number; S: number }

const prepareGlobal = (_: GlobalPoolAttrs, inputs: readonly KMeta[]): GlobalPlan => {
  const x = inputs[0].shape;
  return { rows: x[0] * x[1], S: x.slice(2).reduce((a, b) => a * b, 1) };
};

export const globalAveragePool = cpuKernel<GlobalPoolAttrs, GlobalPlan>({
  prepare: prepareGlobal,
  run(inputs, { rows, S }, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let i = r * S, e = i + S; i < e; i++) s += x[i];
      y[r] = s / S;
    }
  },
});

export const globalMaxPool = cpuKernel<GlobalPoolAttrs, GlobalPlan>({
  prepare: prepareGlobal,
  run(inputs, { rows, S }, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data;
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let i = r * S, e = i + S; i < e; i++) if (x[i] > m) m = x[i];
      y[r] = m;
    }
  },
});

/**
 * Per output row and column, the range of window taps that land inside X and the divisor share
 * of that axis; windows are separable, so 2-D bounds and counts are products of these.
 */
interface PoolPlan {
  NC: number;
  win: Window2d;
  hLo: Int32Array; hHi: Int32Array; hCount: Int32Array;
  wLo: Int32Array; wHi: Int32Array; wCount: Int32Array;
  /** MaxPool: the value of an empty window (all taps in padding), the dtype's lowest. */
  lowest: number;
  storageOrder: number;
}

/** Taps k in [0, K) with 0 <= start + k * D < size: [lo, hi); and how many fall in [-padBegin, size + padEnd). */
function axisTaps(out: number, size: number, K: number, S: number, D: number, padBegin: number, padEnd: number, includePad: boolean) {
  const lo = new Int32Array(out), hi = new Int32Array(out), count = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * S - padBegin;
    let a = 0, b = 0, c = 0;
    for (let k = 0; k < K; k++) {
      const i = start + k * D;
      if (i < 0) a = k + 1;
      if (i < size) b = k + 1;
      if (i >= -padBegin && i < size + padEnd) c++;
    }
    lo[o] = a; hi[o] = Math.max(a, b); count[o] = includePad ? c : Math.max(a, b) - a;
  }
  return { lo, hi, count };
}

function preparePool(attrs: PoolAttrs, inputs: readonly KMeta[], outputs: readonly KMeta[]): PoolPlan {
  const x = inputs[0].shape, win = window2d(attrs, attrs.kernelShape, x, outputs[0].shape);
  const h = axisTaps(win.OH, win.H, win.KH, win.SH, win.DH, win.PT, win.PB, attrs.countIncludePad);
  const w = axisTaps(win.OW, win.W, win.KW, win.SW, win.DW, win.PL, win.PR, attrs.countIncludePad);
  const dt = inputs[0].dtype, lowest = dt === 'int8' ? -128 : dt === 'uint8' ? 0 : -Infinity;
  return { NC: x[0] * x[1], win, hLo: h.lo, hHi: h.hi, hCount: h.count, wLo: w.lo, wHi: w.hi, wCount: w.count, lowest, storageOrder: attrs.storageOrder };
}

export const averagePool = cpuKernel<PoolAttrs, PoolPlan>({
  prepare: preparePool,
  run(inputs, p, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data, { H, W, OH, OW, SH, SW, DH, DW, PT, PL } = p.win;
    let o = 0;
    for (let nc = 0; nc < p.NC; nc++) {
      const xb = nc * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const iy0 = oh * SH - PT, h0 = p.hLo[oh], h1 = p.hHi[oh];
        for (let ow = 0; ow < OW; ow++, o++) {
          const ix0 = ow * SW - PL, w0 = p.wLo[ow], w1 = p.wHi[ow];
          let s = 0;
          for (let kh = h0; kh < h1; kh++) {
            const r = xb + (iy0 + kh * DH) * W + ix0;
            for (let kw = w0; kw < w1; kw++) s += x[r + kw * DW];
          }
          y[o] = s / (p.hCount[oh] * p.wCount[ow]);
        }
      }
    }
  },
});

export const maxPool = cpuKernel<PoolAttrs, PoolPlan>({
  prepare: preparePool,
  run(inputs, p, outputs) {
    const x: KernelData = inputs[0]!.data, y = outputs[0].data, ind = outputs.length > 1 ? outputs[1].data : undefined;
    const { H, W, OH, OW, SH, SW, DH, DW, PT, PL } = p.win, colMajor = p.storageOrder === 1;
    let o = 0;
    for (let nc = 0; nc < p.NC; nc++) {
      const xb = nc * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const iy0 = oh * SH - PT, h0 = p.hLo[oh], h1 = p.hHi[oh];
        for (let ow = 0; ow < OW; ow++, o++) {
          const ix0 = ow * SW - PL, w0 = p.wLo[ow], w1 = p.wHi[ow];
          let m = p.lowest, at = -1;
          for (let kh = h0; kh < h1; kh++) {
            const iy = iy0 + kh * DH;
            for (let kw = w0; kw < w1; kw++) {
              const ix = ix0 + kw * DW, v = x[xb + iy * W + ix];
              // The first tap always counts, so a window of -Infinity still reports where it is.
              if (at < 0 || v > m) { m = v; at = colMajor ? ix * H + iy : iy * W + ix; }
            }
          }
          y[o] = m;
          if (ind) ind[o] = at < 0 ? -1 : xb + at;
        }
      }
    }
  },
});
