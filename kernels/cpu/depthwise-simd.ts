import type { Window2d } from './conv.js';
import { roundUp } from '../index-math.js';
import type { DepthwisePlan } from './depthwise.js';
import { activateRow } from './gemm-epilogue.js';
import type { SimdGemm } from './sgemm-simd.js';
import { copyRun } from './copy-run.js';

/** The windows the SIMD kernel takes: MobileNet's 3x3, stride 1 or 2 either way, no dilation, any pads. */
export function simdDepthwiseSupported(q: Window2d): boolean {
  return q.KH === 3 && q.KW === 3 && q.DH === 1 && q.DW === 1 && (q.SH === 1 || q.SH === 2) && (q.SW === 1 || q.SW === 2);
}

/**
 * Depthwise 3x3 planes nc0..nc1 on the WebAssembly SIMD engine (dw3x3 in scripts/build-wasm.mjs),
 * with the plan's bias and clamp fused and its transcendental activation applied here after.
 * Each plane is copied into the module's memory zero-padded, so the wasm loop has no edges:
 * rows of ld floats, all that the windows of OWp outputs read (OWp: the output width rounded
 * up to whole f32x4s; stride 2 loads 4 more to shuffle even and odd columns apart in the
 * module, which beats splitting them here one float at a time). The pad positions are the
 * same for every plane, so they are zeroed once per call; a plane goes in and out whole, through
 * a staging area that the module pads and packs (copyRows).
 * Numerics: products and sums in float32 (the JavaScript kernel sums in float64).
 * Returns false, leaving Y untouched, for windows it does not take.
 */
export function depthwiseSimd(simd: SimdGemm, x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: DepthwisePlan, nc0: number, nc1: number): boolean {
  const q = p.win;
  if (!simdDepthwiseSupported(q)) return false;
  const { H, W, OH, OW, SH, SW, PT, PL } = q, { lo, hi, act } = p;
  if (OH === 0 || OW === 0) return true;
  const OWp = roundUp(OW, 4), ld = SW === 1 ? OWp + 2 : 2 * OWp + 4, rows = (OH - 1) * SH + 3;
  // Input rows and columns that some window reads (the rest lie past the last window).
  const ny = Math.max(0, Math.min(H, rows - PT)), nx = Math.max(0, Math.min(W, ld - PL));
  // Workspace layout (floats): padded input rows x ld | output OH x OWp | 9 weights | a plane as it is in X or Y.
  const padded = roundUp(rows * ld, 4), src = simd.scratch(padded + OH * OWp + 12 + Math.max(ny * W, OH * OW)), f = simd.floats();
  const dst = src + padded, wAt = dst + OH * OWp, stage = wAt + 12;
  f.fill(0, src, dst);
  for (let nc = nc0; nc < nc1; nc++) {
    const xb = nc * H * W, c = nc % p.C, yb = nc * OH * OW;
    copyRun(x, xb, f, stage, ny * W);
    simd.copyRows(stage, src + PT * ld + PL, ny, nx, W, ld);
    copyRun(w, c * 9, f, wAt, 9);
    simd.dw3x3(SW === 1 ? 1 : 2, src, dst, wAt, OH, OWp / 4, ld, SH * ld, OWp, b ? b[c] : 0, lo, hi);
    if (OW === OWp) copyRun(f, dst, y, yb, OH * OW);
    else { simd.copyRows(dst, stage, OH, OW, OWp, OW); copyRun(f, stage, y, yb, OH * OW); }
    if (act !== 0) activateRow(y, yb, OH * OW, act);
  }
  return true;
}
