import type { ConvActivation, ConvAttrs } from '../../src/ops/conv.js';
import type { WindowAttrs } from '../../src/ops/dims.js';
import { cpuKernel, type KMeta } from '../types.js';
import { sgemm, sgemmWorkspaceFloats } from './sgemm.js';
import { depthwiseRun, runDepthwise, type DepthwiseRun } from './depthwise.js';
import type { ParallelGemm } from './parallel.js';
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
  /** depthwise: its kernel's plan and split job. */
  dw?: DepthwiseRun;
}

const SCRATCH_FLOATS = 1 << 20;

/** A depthwise conv: one input and one output channel per group (weight [M, Cg, ...]); it runs with no GEMM. */
export const isDepthwise = (group: number, w: readonly number[]): boolean => group > 1 && w[1] === 1 && w[0] === group;

export function prepareConv(attrs: ConvAttrs, inputs: readonly KMeta[], outputs: readonly KMeta[]): ConvPlan {
  const x = inputs[0].shape, w = inputs[1].shape, y = outputs[0].shape;
  const win = window2d(attrs, w.slice(2), x, y);
  const [N, C] = x, M = w[0], group = attrs.group, Cg = w[1], Mg = M / group;
  const K = Cg * win.KH * win.KW, P = win.OH * win.OW;
  const oneByOne = win.KH === 1 && win.KW === 1 && win.SH === 1 && win.SW === 1 && win.PT + win.PL + win.PB + win.PR === 0;
  const mode = isDepthwise(group, w) ? 'depthwise' : oneByOne ? 'pointwise' : 'im2col';
  const owLo = Math.min(win.OW, Math.ceil(win.PL / win.SW));
  const owHi = Math.max(owLo, Math.min(win.OW, Math.floor((win.W - 1 + win.PL - (win.KW - 1) * win.DW) / win.SW) + 1));
  const tileP = Math.max(1, Math.min(P, Math.floor(SCRATCH_FLOATS / Math.max(1, K))));
  const act = planEpilogue(attrs.activation);
  const plan: ConvPlan = { mode, N, C, M, group, Cg, Mg, K, P, win, tileP, owLo, owHi, act, gemmEpi: gemmEpilogue(act.kind, act.min, act.max, true) };
  if (mode === 'depthwise') plan.dw = depthwiseRun(plan);
  return plan;
}

/**
 * Runs a prepared conv plan; exported for fused ops that carry their own plan. Bias and the
 * fused activation are applied as outputs are stored (GEMM tile stores, depthwise row loop).
 */
export function runConv(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvPlan, scratch: Float32Array, par?: ParallelGemm): void {
  if (y.length === 0) return;
  const { N, C, M, group, Cg, Mg, K, P } = p, HW = p.win.H * p.win.W;
  if (p.mode === 'depthwise') { runDepthwise(x, w, b, y, p.dw!, par); return; }
  if (p.mode === 'pointwise' && N > 1 && par?.sgemmBatch && pointwiseBatch(x, w, b, y, p, scratch, par)) return;
  if (p.mode === 'im2col' && N > 1 && par?.convImages?.(x, w, b, y, p)) return;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * C + g * Cg) * HW, yOff = (n * M + g * Mg) * P, wOff = g * Mg * K;
      if (p.mode === 'pointwise') { sgemm(Mg, P, Cg, w, wOff, Cg, 1, x, xOff, P, 1, y, yOff, P, false, scratch, 0, p.gemmEpi, b, g * Mg, par); continue; }
      for (let p0 = 0; p0 < P; p0 += p.tileP) {
        const p1 = Math.min(P, p0 + p.tileP), pt = p1 - p0;
        im2col(x, xOff, Cg, p.win, scratch, p0, p1);
        sgemm(Mg, pt, K, w, wOff, K, 1, scratch, 0, pt, 1, y, yOff + p0, P, false, scratch, K * p.tileP, p.gemmEpi, b, g * Mg, par);
      }
    }
  }
}

/**
 * A pointwise conv over a batch as one batched product per group (W shared, images at strides),
 * so threads take whole images when each image's product is too small to split. False when `par`
 * does not take it (a group it did take is then simply computed again by the caller).
 */
function pointwiseBatch(x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvPlan, scratch: Float32Array, par: ParallelGemm): boolean {
  const { N, C, M, group, Cg, Mg, K, P } = p, HW = p.win.H * p.win.W, batch = { count: N, strideB: C * HW, strideC: M * P };
  for (let g = 0; g < group; g++) {
    if (!par.sgemmBatch!(batch, Mg, P, Cg, w, g * Mg * K, Cg, 1, x, g * Cg * HW, P, 1, y, g * Mg * P, P, scratch, 0, p.gemmEpi, b, g * Mg)) return false;
  }
  return true;
}

/** Columns p0..p1 of the [Cg*KH*KW, OH*OW] patch matrix, row-major with row length p1 - p0. */
export function im2col(x: Float32Array, xOff: number, Cg: number, q: Window2d, col: Float32Array, p0: number, p1: number): void {
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

/** im2col tile (if any) followed by the GEMM's packing workspace. */
export function convScratchBytes(p: ConvPlan): number {
  if (p.mode === 'depthwise') return 0;
  if (p.mode === 'pointwise') return sgemmWorkspaceFloats(p.Mg, p.P, p.Cg) * 4;
  return (p.K * p.tileP + sgemmWorkspaceFloats(p.Mg, p.tileP, p.K)) * 4;
}

export const conv = cpuKernel<ConvAttrs, ConvPlan>({
  prepare: prepareConv,
  scratchBytes: convScratchBytes,
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    runConv(inputs[0]!.data as Float32Array, inputs[1]!.data as Float32Array, inputs[2]?.data as Float32Array | undefined, outputs[0].data as Float32Array, p, scratch, par);
  },
});
