import type { SimdGemm } from './sgemm-simd.js';
import { roundUp } from '../index-math.js';
import { copyRun } from './copy-run.js';
import { sparseClampBounds, type SparseEpilogue } from './sparse-epilogue.js';
import type { SparseOperand } from './sparse-weight.js';

/** Lanes per block of the module's loop (four f32x4 accumulators). */
const LANES = 16;

/**
 * Y[o, t] = clamp(bias[o] + sum over the nonzeros W[o, k] of W[o, k] * X[k, t]) on the
 * WebAssembly SIMD engine (spmmCsr in scripts/build-wasm.mjs), for a CSR weight and `lanes`
 * columns t, X rows `lanes` apart at x[xOff..] and Y likewise at y[yOff..]: sparse-spmm.ts's
 * csrSpmm with csY = 1, rsY = ldx = lanes (a 1x1 conv on one NCHW image). The CSR arrays are
 * kept in the module's memory after the first call; X is copied in per call with rows padded to
 * whole blocks of 16 lanes (padding zeroed, so no denormal garbage slows the padded lanes),
 * and Y copied back out. The epilogue's code (ReLU, Clip(0, hi)) is the clamp; its `post`
 * activation is the caller's. Numerics: products and sums in float32, in each row's nonzero
 * order (the JavaScript kernel sums in float64). Returns false, Y untouched, for BSR operands.
 */
export function spmmSimd(simd: SimdGemm, w: SparseOperand, lanes: number, x: Float32Array, xOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean {
  if (w.kind !== 'csr') return false;
  const { rows: M, depth: C } = w;
  if (M === 0 || lanes === 0) return true;
  const [val, rowPtr, col] = simd.keptConstants([w.val, w.rowPtr, w.col]);
  const ld = roundUp(lanes, LANES), padded = ld !== lanes;
  // Workspace (floats): X C x ld | Y M x ld | bias M | X as it is in the arena (when padded).
  const xAt = simd.scratch(C * ld + M * ld + roundUp(M, 4) + (padded ? C * lanes : 0)), f = simd.floats();
  const yAt = xAt + C * ld, bAt = yAt + M * ld, stage = bAt + roundUp(M, 4);
  if (!padded) copyRun(x, xOff, f, xAt, C * lanes);
  else {
    copyRun(x, xOff, f, stage, C * lanes);
    simd.copyRows(stage, xAt, C, lanes, lanes, ld);
    for (let k = 0; k < C; k++) f.fill(0, xAt + k * ld + lanes, xAt + (k + 1) * ld);
  }
  if (e.bias) copyRun(e.bias, 0, f, bAt, M);
  const [lo, hi] = sparseClampBounds(e);
  simd.spmmCsr(rowPtr, col, val, M, xAt, ld, ld / LANES, yAt, ld, e.bias ? bAt : -1, lo, hi);
  // Rows packed tight in place (each moves down, memory.copy is a memmove), then one copy out.
  if (padded) simd.copyRows(yAt, yAt, M, lanes, ld, lanes);
  copyRun(f, yAt, y, yOff, M * lanes);
  return true;
}

/** Rows of A per pass: bounds the workspace at (K + N) * 256 floats. */
const CHUNK = 256;

/**
 * Y[m, o] = clamp(bias[o] + sum over the nonzeros W[o, k] of W[o, k] * A[m, k]) for `rows`
 * rows of A (K apart at a[aOff..]) into Y (N apart at y[yOff..]): SparseMatMul, on the same
 * SIMD core as spmmSimd. Up to 256 rows at a time are transposed into the memory as lanes
 * (the JavaScript kernel's panel, rows padded to whole blocks) and the product transposed back
 * out; the weight's arrays are kept as for spmmSimd. Returns false, Y untouched, for BSR.
 */
export function spmmSimdRows(simd: SimdGemm, w: SparseOperand, rows: number, a: Float32Array, aOff: number, y: Float32Array, yOff: number, e: SparseEpilogue): boolean {
  if (w.kind !== 'csr') return false;
  const { rows: N, depth: K } = w;
  if (N === 0 || rows === 0) return true;
  const [val, rowPtr, col] = simd.keptConstants([w.val, w.rowPtr, w.col]);
  const ldMax = roundUp(Math.min(rows, CHUNK), LANES);
  // Workspace (floats): X K x ld | Y N x ld | bias N.
  const xAt = simd.scratch((K + N) * ldMax + roundUp(N, 4)), f = simd.floats();
  const yAt = xAt + K * ldMax, bAt = yAt + N * ldMax;
  if (e.bias) copyRun(e.bias, 0, f, bAt, N);
  const [lo, hi] = sparseClampBounds(e);
  for (let m0 = 0; m0 < rows; m0 += CHUNK) {
    const T = Math.min(CHUNK, rows - m0), ld = roundUp(T, LANES);
    for (let t = 0; t < T; t++) {
      for (let k = 0, p = aOff + (m0 + t) * K, q = xAt + t; k < K; k++, q += ld) f[q] = a[p + k];
    }
    if (T < ld) for (let k = 0; k < K; k++) f.fill(0, xAt + k * ld + T, xAt + (k + 1) * ld);
    simd.spmmCsr(rowPtr, col, val, N, xAt, ld, ld / LANES, yAt, ld, e.bias ? bAt : -1, lo, hi);
    for (let t = 0; t < T; t++) {
      for (let o = 0, p = yOff + (m0 + t) * N, q = yAt + t; o < N; o++, q += ld) y[p + o] = f[q];
    }
  }
  return true;
}
