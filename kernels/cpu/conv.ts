import type { ConvActivation, ConvAttrs } from '../../src/ops/conv.js';
import type { WindowAttrs } from '../../src/ops/dims.js';
import { cpuKernel, type KMeta } from '../types.js';
import { sgemm, sgemmWorkspaceFloats } from './sgemm.js';
import { gemmEpilogue, type GemmEpilogue } from './gemm-epilogue.js';
import { erf } from './erf.js';

/**
 * A sliding window resolved for concrete shapes, always 2-D: a 1-D op is H = 1. Pads come from
 * the output size the schema inferred, so the kernel never re-derives the output-size rule.
 */
export interface Window2d {
  H: number; W: number; OH: number; OW: number; KH: number; KW: number;
  SH: number; SW: number; DH: number; DW: number;
  /** Pads actually applied: top, left, bottom, right. */
  PT: number; PL: number; PB: number; PR: number;
}

export function window2d(w: WindowAttrs, kernel: readonly number[], x: readonly number[], y: readonly number[]): Window2d {
  const r = x.length - 2;
  const axis = (i: number): number[] => {
    const n = x[2 + i], out = y[2 + i], k = kernel[i], s = w.strides[i] ?? 1, d = w.dilations[i] ?? 1;
    if (w.autoPad === 'NOTSET') return [n, out, k, s, d, w.pads[i] ?? 0, w.pads[i + r] ?? 0];
    if (w.autoPad === 'VALID') return [n, out, k, s, d, 0, 0];
    const total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - n);
    const begin = w.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    return [n, out, k, s, d, begin, total - begin];
  };
  const [H, OH, KH, SH, DH, PT, PB] = r === 2 ? axis(0) : [1, 1, 1, 1, 1, 0, 0];
  const [W, OW, KW, SW, DW, PL, PR] = axis(r - 1);
  return { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR };
}

/** The fused activation a plan applies after the bias ('relu6' is clip 0..6, kept apart for reading plans). */
export interface Epilogue {
  kind: 'none' | 'relu' | 'relu6' | 'clip' | 'sigmoid' | 'silu' | 'gelu';
  min: number;
  max: number;
}

export function planEpilogue(a: ConvActivation | undefined): Epilogue {
  if (!a) return { kind: 'none', min: -Infinity, max: Infinity };
  const min = a.min ?? -Infinity, max = a.max ?? Infinity;
  if (a.kind === 'clip' && min === 0 && max === 6) return { kind: 'relu6', min, max };
  return { kind: a.kind, min, max };
}

/** y[off .. off + n) = act(y + bias): the epilogue any GEMM-shaped kernel can reuse. */
export function applyEpilogue(y: Float32Array, off: number, n: number, bias: number, e: Epilogue): void {
  const end = off + n;
  switch (e.kind) {
    case 'none': if (bias !== 0) for (let i = off; i < end; i++) y[i] += bias; break;
    case 'relu': for (let i = off; i < end; i++) { const v = y[i] + bias; y[i] = v > 0 ? v : 0; } break;
    case 'relu6': case 'clip': {
      const lo = e.min, hi = e.max;
      for (let i = off; i < end; i++) { const v = y[i] + bias; y[i] = v < lo ? lo : v > hi ? hi : v; }
      break;
    }
    case 'sigmoid': for (let i = off; i < end; i++) y[i] = 1 / (1 + Math.exp(-(y[i] + bias))); break;
    case 'silu': for (let i = off; i < end; i++) { const v = y[i] + bias; y[i] = v / (1 + Math.exp(-v)); } break;
    case 'gelu': for (let i = off; i < end; i++) { const v = y[i] + bias; y[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); } break;
  }
}

export interface ConvPlan {
  /** pointwise: 1x1 stride 1 no pad, X is already the GEMM operand; depthwise: direct, no im2col. */
  mode: 'pointwise' | 'depthwise' | 'im2col';
  N: number; C: number; M: number; group: number; Cg: number; Mg: number;
  /** GEMM depth (Cg * KH * KW) and output pixels per channel. */
  K: number; P: number;
  win: Window2d;
  /** im2col: output pixels per scratch tile, so scratch stays bounded on large images. */
  tileP: number;
  /** depthwise: output columns whose whole window lies inside the row (no bounds checks). */
  owLo: number; owHi: number;
  act: Epilogue;
  /** The same bias + activation as the GEMM applies it in its tile stores (pointwise, im2col). */
  gemmEpi: GemmEpilogue;
}

const SCRATCH_FLOATS = 1 << 20;

export function prepareConv(attrs: ConvAttrs, inputs: readonly KMeta[], outputs: readonly KMeta[]): ConvPlan {
  const x = inputs[0].shape, w = inputs[1].shape, y = outputs[0].shape;
  const win = window2d(attrs, w.slice(2), x, y);
  const [N, C] = x, M = w[0], group = attrs.group, Cg = w[1], Mg = M / group;
  const K = Cg * win.KH * win.KW, P = win.OH * win.OW;
  const oneByOne = win.KH === 1 && win.KW === 1 && win.SH === 1 && win.SW === 1 && win.PT + win.PL + win.PB + win.PR === 0;
  const mode = group > 1 && Cg === 1 && Mg === 1 ? 'depthwise' : oneByOne ? 'pointwise' : 'im2col';
  const owLo = Math.min(win.OW, Math.ceil(win.PL / win.SW));
  const owHi = Math.max(owLo, Math.min(win.OW, Math.floor((win.W - 1 + win.PL - (win.KW - 1) * win.DW) / win.SW) + 1));
  const tileP = Math.max(1, Math.min(P, Math.floor(SCRATCH_FLOATS / Math.max(1, K))));
  const act = planEpilogue(attrs.activation);
  return { mode, N, C, M, group, Cg, Mg, K, P, win, tileP, owLo, owHi, act, gemmEpi: gemmEpilogue(act.kind, act.min, act.max, true) };
}

/** Runs a prepared conv plan; exported for fused ops that carry their own plan. */
export function runConv(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvPlan, scratch: Float32Array): void {
  if (y.length === 0) return;
  const { N, C, M, group, Cg, Mg, K, P } = p, HW = p.win.H * p.win.W;
  if (p.mode === 'depthwise') depthwise(x, w, y, p);
  else {
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < group; g++) {
        const xOff = (n * C + g * Cg) * HW, yOff = (n * M + g * Mg) * P, wOff = g * Mg * K;
        if (p.mode === 'pointwise') { sgemm(Mg, P, Cg, w, wOff, Cg, 1, x, xOff, P, 1, y, yOff, P, false, scratch, 0, p.gemmEpi, b, g * Mg); continue; }
        for (let p0 = 0; p0 < P; p0 += p.tileP) {
          const p1 = Math.min(P, p0 + p.tileP), pt = p1 - p0;
          im2col(x, xOff, Cg, p.win, scratch, p0, p1);
          sgemm(Mg, pt, K, w, wOff, K, 1, scratch, 0, pt, 1, y, yOff + p0, P, false, scratch, K * p.tileP, p.gemmEpi, b, g * Mg);
        }
      }
    }
    return; // the GEMM applied bias and activation
  }
  if (!b && p.act.kind === 'none') return;
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) applyEpilogue(y, (n * M + m) * P, P, b ? b[m] : 0, p.act);
}

/** Columns p0..p1 of the [Cg*KH*KW, OH*OW] patch matrix, row-major with row length p1 - p0. */
function im2col(x: Float32Array, xOff: number, Cg: number, q: Window2d, col: Float32Array, p0: number, p1: number): void {
  const { H, W, OW, KH, KW, SH, SW, DH, DW, PT, PL } = q, pt = p1 - p0, oh0 = Math.floor(p0 / OW), ow0 = p0 - oh0 * OW;
  let o = 0;
  for (let c = 0; c < Cg; c++) {
    const xc = xOff + c * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const dy = kh * DH - PT, dx = kw * DW - PL;
        let oh = oh0, ow = ow0;
        for (let e = o + pt; o < e; o++) {
          const iy = oh * SH + dy, ix = ow * SW + dx;
          col[o] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[xc + iy * W + ix] : 0;
          if (++ow === OW) { ow = 0; oh++; }
        }
      }
    }
  }
}

/**
 * Depthwise (group == C == M), direct: sums kept in registers, one store per output. Interior
 * columns (whole window inside the row) skip bounds checks, and rows whose 3x3 window is fully
 * inside X take an unrolled loop: the MobileNet case.
 */
function depthwise(x: Float32Array, w: Float32Array, y: Float32Array, p: ConvPlan): void {
  const { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL } = p.win, { owLo, owHi } = p, is3x3 = KH === 3 && KW === 3;
  for (let nc = 0; nc < p.N * p.C; nc++) {
    const xb = nc * H * W, wb = (nc % p.C) * KH * KW;
    for (let oh = 0; oh < OH; oh++) {
      const yr = (nc * OH + oh) * OW, iy0 = oh * SH - PT;
      const khLo = iy0 < 0 ? Math.ceil(-iy0 / DH) : 0, khHi = Math.min(KH, iy0 > H - 1 ? 0 : Math.floor((H - 1 - iy0) / DH) + 1);
      if (is3x3 && khLo === 0 && khHi === 3) {
        const r0 = xb + iy0 * W - PL, r1 = r0 + DH * W, r2 = r1 + DH * W, D2 = 2 * DW;
        const w0 = w[wb], w1 = w[wb + 1], w2 = w[wb + 2], w3 = w[wb + 3], w4 = w[wb + 4], w5 = w[wb + 5], w6 = w[wb + 6], w7 = w[wb + 7], w8 = w[wb + 8];
        for (let ow = owLo, i = owLo * SW; ow < owHi; ow++, i += SW) {
          y[yr + ow] = w0 * x[r0 + i] + w1 * x[r0 + i + DW] + w2 * x[r0 + i + D2]
            + w3 * x[r1 + i] + w4 * x[r1 + i + DW] + w5 * x[r1 + i + D2]
            + w6 * x[r2 + i] + w7 * x[r2 + i + DW] + w8 * x[r2 + i + D2];
        }
      } else {
        for (let ow = owLo; ow < owHi; ow++) {
          const ix0 = ow * SW - PL;
          let s = 0;
          for (let kh = khLo; kh < khHi; kh++) {
            const r = xb + (iy0 + kh * DH) * W + ix0, wr = wb + kh * KW;
            for (let kw = 0; kw < KW; kw++) s += w[wr + kw] * x[r + kw * DW];
          }
          y[yr + ow] = s;
        }
      }
      for (let ow = 0; ow < owLo; ow++) y[yr + ow] = edgePixel(x, w, xb, wb, iy0, ow * SW - PL, khLo, khHi, p.win);
      for (let ow = owHi; ow < OW; ow++) y[yr + ow] = edgePixel(x, w, xb, wb, iy0, ow * SW - PL, khLo, khHi, p.win);
    }
  }
}

/** One depthwise output whose window crosses the left or right edge: taps outside X are skipped. */
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

/** im2col tile (if any) followed by the GEMM's packing workspace. */
export function convScratchBytes(p: ConvPlan): number {
  if (p.mode === 'depthwise') return 0;
  if (p.mode === 'pointwise') return sgemmWorkspaceFloats(p.Mg, p.P, p.Cg) * 4;
  return (p.K * p.tileP + sgemmWorkspaceFloats(p.Mg, p.tileP, p.K)) * 4;
}

export const conv = cpuKernel<ConvAttrs, ConvPlan>({
  prepare: prepareConv,
  scratchBytes: convScratchBytes,
  run(inputs, p, outputs, scratch) {
    runConv(inputs[0]!.data as Float32Array, inputs[1]!.data as Float32Array, inputs[2]?.data as Float32Array | undefined, outputs[0].data as Float32Array, p, scratch);
  },
});
