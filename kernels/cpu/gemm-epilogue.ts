import { erf } from './erf.js';
import { clamp, NO_HI, NO_LO } from './clamp.js';

/**
 * What a GEMM does to C after the last multiply-add, fused into the GEMM so no extra pass over
 * memory: add a bias (one value per row of C: a conv's output channel; or per column: a
 * Linear layer's output feature), clamp to [lo, hi] (none, Relu, ReLU6, Clip), then an optional
 * transcendental activation applied to each finished block while it is still in cache.
 * Built at plan time; the bias array itself is passed per call.
 */
export interface GemmEpilogue {
  biasPerRow: boolean;
  /** Clamp bounds in [-BOUND, BOUND] (clamp.ts); NO_LO / NO_HI when there is none. */
  lo: number;
  hi: number;
  /** 0: none after the clamp; else one of ACT_* below. */
  act: number;
}

export const ACT_SIGMOID = 3;
export const ACT_SILU = 4;
export const ACT_GELU = 5;
export const ACT_GELU_TANH = 6;

const POST: Record<string, number> = { sigmoid: ACT_SIGMOID, silu: ACT_SILU, gelu: ACT_GELU, gelu_tanh: ACT_GELU_TANH };

/** From an activation kind (conv's or gemm's names; 'relu6' is clip 0..6). */
export function gemmEpilogue(kind: string | undefined, min: number | undefined, max: number | undefined, biasPerRow: boolean): GemmEpilogue {
  const e: GemmEpilogue = { biasPerRow, lo: NO_LO, hi: NO_HI, act: 0 };
  if (kind === 'relu') e.lo = 0;
  else if (kind === 'clip' || kind === 'relu6') { e.lo = Math.max(min ?? NO_LO, NO_LO); e.hi = Math.min(max ?? NO_HI, NO_HI); }
  else if (kind !== undefined && kind !== 'none') {
    const act = POST[kind];
    if (act === undefined) throw new Error(`GEMM epilogue: unknown activation '${kind}'`);
    e.act = act;
  }
  return e;
}

/** A bias of zeros for any length (read with stride 0); never written. */
export const NO_BIAS = new Float32Array(1);

/**
 * The transcendental activation over c[off, off + n). One function per kind, so each loop has
 * complete type feedback (a switch inside one loop deoptimizes on the first unseen case).
 */
export function activateRow(c: Float32Array, off: number, n: number, act: number): void {
  switch (act) {
    case ACT_SIGMOID: sigmoidRow(c, off, n); break;
    case ACT_SILU: siluRow(c, off, n); break;
    case ACT_GELU: geluRow(c, off, n); break;
    case ACT_GELU_TANH: geluTanhRow(c, off, n); break;
  }
}

function sigmoidRow(c: Float32Array, off: number, n: number): void {
  for (let i = off, e = off + n; i < e; i++) c[i] = 1 / (1 + Math.exp(-c[i]));
}
function siluRow(c: Float32Array, off: number, n: number): void {
  for (let i = off, e = off + n; i < e; i++) { const v = c[i]; c[i] = v / (1 + Math.exp(-v)); }
}
function geluRow(c: Float32Array, off: number, n: number): void {
  for (let i = off, e = off + n; i < e; i++) { const v = c[i]; c[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); }
}
const SQRT_2_PI = Math.sqrt(2 / Math.PI);
function geluTanhRow(c: Float32Array, off: number, n: number): void {
  for (let i = off, e = off + n; i < e; i++) { const v = c[i]; c[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_PI * (v + 0.044715 * v * v * v))); }
}

/**
 * The whole epilogue over rows x cols of C at cOff (leading dimension ldc), for the GEMM paths
 * that do not fuse it into their tiles; rowBase/colBase index the bias.
 */
export function epilogueBlock(
  c: Float32Array, cOff: number, rows: number, cols: number, ldc: number,
  epi: GemmEpilogue, bias: Float32Array | undefined, biasOff: number, rowBase: number, colBase: number,
): void {
  const lo = epi.lo, hi = epi.hi;
  for (let i = 0; i < rows; i++) {
    const r = cOff + i * ldc;
    if (bias && epi.biasPerRow) clampRowScalar(c, r, cols, bias[biasOff + rowBase + i], lo, hi);
    else if (bias) clampRowVector(c, r, cols, bias, biasOff + colBase, lo, hi);
    else clampRowScalar(c, r, cols, 0, lo, hi);
    if (epi.act !== 0) activateRow(c, r, cols, epi.act);
  }
}

function clampRowScalar(c: Float32Array, off: number, n: number, bias: number, lo: number, hi: number): void {
  for (let i = off, e = off + n; i < e; i++) c[i] = clamp(c[i] + bias, lo, hi);
}
function clampRowVector(c: Float32Array, off: number, n: number, bias: Float32Array, bOff: number, lo: number, hi: number): void {
  for (let j = 0; j < n; j++) c[off + j] = clamp(c[off + j] + bias[bOff + j], lo, hi);
}
