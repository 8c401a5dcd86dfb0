import type { ConvPlan, Window2d } from './conv.js';
import { activateRow } from './gemm-epilogue.js';
import { clamp } from './clamp.js';
import type { ParallelGemm } from './parallel.js';

/** What the depthwise kernel reads of a conv plan: plain numbers, so a worker can rebuild it (depthwiseFromInts). */
export interface DepthwisePlan {
  win: Window2d;
  C: number;
  owLo: number; owHi: number;
  /** The fused clamp (clamp.ts bounds) and transcendental activation (gemm-epilogue.ts ACT_*). */
  lo: number; hi: number; act: number;
}

/** A whole depthwise conv as planned: its kernel plan and the 'depthwise' split job (jobs.ts), built once. */
export interface DepthwiseRun {
  plan: DepthwisePlan;
  /** N x C planes, and multiply-adds (whether splitting pays). */
  planes: number; work: number;
  ints: readonly number[]; floats: readonly number[];
}

const WIN_KEYS = ['H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'PB', 'PR'] as const;

/** A window as the ints of a split job, and back (the first WINDOW_INTS ints). */
export const WINDOW_INTS = WIN_KEYS.length;
export const windowInts = (q: Window2d): number[] => WIN_KEYS.map((k) => q[k]);
export const windowFromInts = (ints: ArrayLike<number>): Window2d => Object.fromEntries(WIN_KEYS.map((k, i) => [k, ints[i]])) as unknown as Window2d;

export function depthwiseRun(p: ConvPlan): DepthwiseRun {
  const plan: DepthwisePlan = { win: p.win, C: p.C, owLo: p.owLo, owHi: p.owHi, lo: p.gemmEpi.lo, hi: p.gemmEpi.hi, act: p.gemmEpi.act };
  const planes = p.N * p.C, { OH, OW, KH, KW } = p.win;
  return { plan, planes, work: planes * OH * OW * KH * KW, ints: [...windowInts(p.win), p.C, p.owLo, p.owHi, plan.act], floats: [plan.lo, plan.hi] };
}

/** The plan a worker rebuilds from the job's ints and floats. */
export function depthwiseFromInts(ints: ArrayLike<number>, floats: ArrayLike<number>): DepthwisePlan {
  const win = windowFromInts(ints), n = WINDOW_INTS;
  return { win, C: ints[n], owLo: ints[n + 1], owHi: ints[n + 2], act: ints[n + 3], lo: floats[0], hi: floats[1] };
}

/**
 * The whole depthwise conv (N x C planes): on `par`'s own engine when it has one that takes the
 * window (the 'wasm-simd' tier), else split by planes across threads when `par` takes it:
 * planes are independent, so the output is the one-thread output.
 */
export function runDepthwise(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, r: DepthwiseRun, par?: ParallelGemm): void {
  if (par?.depthwise?.(x, w, b, y, r)) return;
  if (par?.split('depthwise', r.work, r.planes, 1, [x, w, b, y], r.ints, r.floats)) return;
  depthwiseConv(x, w, b, y, r.plan, 0, r.planes);
}

/**
 * Depthwise convolution (group == C == M) over planes nc0..nc1 (n * C + c), direct, with the
 * bias and activation applied as each output is stored. 3x3 windows with stride 1 or 2 and no
 * dilation (MobileNet's) slide along each row keeping the window in registers: stride 1 loads 3
 * new inputs per output instead of 9 (2 when two output rows go together, sharing two input
 * rows: MobileNetV2's depthwise convs 37 -> 27 ms on one core), stride 2 loads 6. Rows whose
 * window crosses the top or bottom edge, and the few columns crossing the left or right edge,
 * take a bounds-checked loop.
 */
export function depthwiseConv(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: DepthwisePlan, nc0: number, nc1: number): void {
  const { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL } = p.win, { owLo, owHi, lo, hi, act } = p;
  const slide = KH === 3 && KW === 3 && DH === 1 && DW === 1 && (SW === 1 || SW === 2);
  for (let nc = nc0; nc < nc1; nc++) {
    const xb = nc * H * W, wb = (nc % p.C) * KH * KW, bias = b ? b[nc % p.C] : 0;
    for (let oh = 0; oh < OH; oh++) {
      const yr = (nc * OH + oh) * OW, iy0 = oh * SH - PT;
      const khLo = iy0 < 0 ? Math.ceil(-iy0 / DH) : 0, khHi = Math.min(KH, iy0 > H - 1 ? 0 : Math.floor((H - 1 - iy0) / DH) + 1);
      // Stride 1, two interior rows at once: they share two of their three input rows.
      if (slide && SW === 1 && SH === 1 && khLo === 0 && khHi === 3 && owHi > owLo && oh + 1 < OH && iy0 + 3 <= H - 1) {
        row3x3s1x2(x, xb + iy0 * W, W, w, wb, y, yr, OW, owLo, owHi, owLo - PL, bias, lo, hi);
        for (let r = 0; r < 2; r++) {
          const yrr = yr + r * OW;
          for (let ow = 0; ow < owLo; ow++) y[yrr + ow] = clamp(edgePixel(x, w, xb, wb, iy0 + r, ow - PL, 0, 3, p.win) + bias, lo, hi);
          for (let ow = owHi; ow < OW; ow++) y[yrr + ow] = clamp(edgePixel(x, w, xb, wb, iy0 + r, ow - PL, 0, 3, p.win) + bias, lo, hi);
          if (act !== 0) activateRow(y, yrr, OW, act);
        }
        oh++;
        continue;
      }
      if (slide && khLo === 0 && khHi === 3 && owHi > owLo) {
        if (SW === 1) row3x3s1(x, xb + iy0 * W, W, w, wb, y, yr, owLo, owHi, owLo - PL, bias, lo, hi);
        else row3x3s2(x, xb + iy0 * W, W, w, wb, y, yr, owLo, owHi, owLo * 2 - PL, bias, lo, hi);
      } else {
        for (let ow = owLo; ow < owHi; ow++) y[yr + ow] = clamp(interiorPixel(x, w, xb, wb, iy0, ow * SW - PL, khLo, khHi, p.win) + bias, lo, hi);
      }
      for (let ow = 0; ow < owLo; ow++) y[yr + ow] = clamp(edgePixel(x, w, xb, wb, iy0, ow * SW - PL, khLo, khHi, p.win) + bias, lo, hi);
      for (let ow = owHi; ow < OW; ow++) y[yr + ow] = clamp(edgePixel(x, w, xb, wb, iy0, ow * SW - PL, khLo, khHi, p.win) + bias, lo, hi);
      if (act !== 0) activateRow(y, yr, OW, act);
    }
  }
}

/** Outputs ow0..ow1 of one row, stride 1: input rows r0, r0 + W, r0 + 2W from column i0 on. */
function row3x3s1(x: Float32Array, r0: number, W: number, w: Float32Array, wb: number, y: Float32Array, yr: number, ow0: number, ow1: number, i0: number, bias: number, lo: number, hi: number): void {
  const w0 = w[wb], w1 = w[wb + 1], w2 = w[wb + 2], w3 = w[wb + 3], w4 = w[wb + 4], w5 = w[wb + 5], w6 = w[wb + 6], w7 = w[wb + 7], w8 = w[wb + 8];
  // Untag the scalar arguments once, before the loop (V8 would otherwise re-check them per iteration).
  const base = r0 | 0, r1 = (r0 + W) | 0, r2 = (r0 + 2 * W) | 0, yb = yr | 0, add = bias + 0, l = lo + 0, h = hi + 0;
  let a0 = x[r0 + i0], a1 = x[r0 + i0 + 1], b0 = x[r1 + i0], b1 = x[r1 + i0 + 1], c0 = x[r2 + i0], c1 = x[r2 + i0 + 1];
  for (let ow = ow0 | 0, j = (i0 + 2) | 0, end = ow1 | 0; ow < end; ow = (ow + 1) | 0, j = (j + 1) | 0) {
    const a2 = x[(base + j) | 0], b2 = x[(r1 + j) | 0], c2 = x[(r2 + j) | 0];
    const s = w0 * a0 + w1 * a1 + w2 * a2 + w3 * b0 + w4 * b1 + w5 * b2 + w6 * c0 + w7 * c1 + w8 * c2 + add;
    y[(yb + ow) | 0] = clamp(s, l, h);
    a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2;
  }
}

/** Outputs ow0..ow1 of two output rows (at yr and yr + OW), stride 1: input rows r0 .. r0 + 3W, each loaded once for both. */
function row3x3s1x2(x: Float32Array, r0: number, W: number, w: Float32Array, wb: number, y: Float32Array, yr: number, OW: number, ow0: number, ow1: number, i0: number, bias: number, lo: number, hi: number): void {
  const w0 = w[wb], w1 = w[wb + 1], w2 = w[wb + 2], w3 = w[wb + 3], w4 = w[wb + 4], w5 = w[wb + 5], w6 = w[wb + 6], w7 = w[wb + 7], w8 = w[wb + 8];
  const base = r0 | 0, r1 = (r0 + W) | 0, r2 = (r0 + 2 * W) | 0, r3 = (r0 + 3 * W) | 0, add = bias + 0, l = lo + 0, h = hi + 0;
  const ya = yr | 0, yb = (yr + OW) | 0;
  let a0 = x[r0 + i0], a1 = x[r0 + i0 + 1], b0 = x[r1 + i0], b1 = x[r1 + i0 + 1], c0 = x[r2 + i0], c1 = x[r2 + i0 + 1], d0 = x[r3 + i0], d1 = x[r3 + i0 + 1];
  for (let ow = ow0 | 0, j = (i0 + 2) | 0, end = ow1 | 0; ow < end; ow = (ow + 1) | 0, j = (j + 1) | 0) {
    const a2 = x[(base + j) | 0], b2 = x[(r1 + j) | 0], c2 = x[(r2 + j) | 0], d2 = x[(r3 + j) | 0];
    const s = w0 * a0 + w1 * a1 + w2 * a2 + w3 * b0 + w4 * b1 + w5 * b2 + w6 * c0 + w7 * c1 + w8 * c2 + add;
    const t = w0 * b0 + w1 * b1 + w2 * b2 + w3 * c0 + w4 * c1 + w5 * c2 + w6 * d0 + w7 * d1 + w8 * d2 + add;
    y[(ya + ow) | 0] = clamp(s, l, h);
    y[(yb + ow) | 0] = clamp(t, l, h);
    a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2; d0 = d1; d1 = d2;
  }
}

/** Outputs ow0..ow1 of one row, stride 2: each window shares its first column with the last one's third. */
function row3x3s2(x: Float32Array, r0: number, W: number, w: Float32Array, wb: number, y: Float32Array, yr: number, ow0: number, ow1: number, i0: number, bias: number, lo: number, hi: number): void {
  const w0 = w[wb], w1 = w[wb + 1], w2 = w[wb + 2], w3 = w[wb + 3], w4 = w[wb + 4], w5 = w[wb + 5], w6 = w[wb + 6], w7 = w[wb + 7], w8 = w[wb + 8];
  const base = r0 | 0, r1 = (r0 + W) | 0, r2 = (r0 + 2 * W) | 0, yb = yr | 0, add = bias + 0, l = lo + 0, h = hi + 0;
  let a0 = x[r0 + i0], b0 = x[r1 + i0], c0 = x[r2 + i0];
  for (let ow = ow0 | 0, j = (i0 + 1) | 0, end = ow1 | 0; ow < end; ow = (ow + 1) | 0, j = (j + 2) | 0) {
    const a1 = x[(base + j) | 0], a2 = x[(base + j + 1) | 0], b1 = x[(r1 + j) | 0], b2 = x[(r1 + j + 1) | 0], c1 = x[(r2 + j) | 0], c2 = x[(r2 + j + 1) | 0];
    const s = w0 * a0 + w1 * a1 + w2 * a2 + w3 * b0 + w4 * b1 + w5 * b2 + w6 * c0 + w7 * c1 + w8 * c2 + add;
    y[(yb + ow) | 0] = clamp(s, l, h);
    a0 = a2; b0 = b2; c0 = c2;
  }
}

/** One output whose window lies inside the row (any kernel size, stride, dilation); rows khLo..khHi. */
function interiorPixel(x: Float32Array, w: Float32Array, xb: number, wb: number, iy0: number, ix0: number, khLo: number, khHi: number, q: Window2d): number {
  let s = 0;
  for (let kh = khLo; kh < khHi; kh++) {
    const r = xb + (iy0 + kh * q.DH) * q.W + ix0, wr = wb + kh * q.KW;
    for (let kw = 0; kw < q.KW; kw++) s += w[wr + kw] * x[r + kw * q.DW];
  }
  return s;
}

/** One output whose window crosses the left or right edge: taps outside X are skipped. */
function edgePixel(x: Float32Array, w: Float32Array, xb: number, wb: number, iy0: number, ix0: number, khLo: number, khHi: number, q: Window2d): number {
  let s = 0;
  for (let kh = khLo; kh < khHi; kh++) {
    const r = xb + (iy0 + kh * q.DH) * q.W, wr = wb + kh * q.KW;
    for (let kw = 0; kw < q.KW; kw++) {
      const ix = ix0 + kw * q.DW;
      if (ix >= 0 && ix < q.W) s += w[wr + kw] * x[r + ix];
    }
  }
  return s;
}
