import { clampStored, type SparseEpilogue } from './sparse-epilogue.js';
import type { SparseOperand } from './sparse-weight.js';

/**
 * Sparse-weight x dense-activation products (SpMM), the cores of SparseMatMul and SparseConv.
 *
 * Y[o, t] = act(bias[o] + sum_k W[o, k] * X[k, t]) for output channels o in [o0, o1) and `lanes`
 * columns t, where X[k, t] = x[xOff + k * ldx + t] and Y[o, t] goes to y[yOff + o * rsY + t * csY].
 * A 1x1 convolution in NCHW is this with t = pixel (X is the image, ldx = H * W); a MatMul is this
 * on a transposed panel of A's rows (t = row). Each output channel walks its nonzeros once per
 * tile of 8 lanes, whose sums stay in registers; the 8 activations a nonzero multiplies are
 * contiguous. That is XNNPACK's NCHW sparse scheme, in scalar JS.
 *
 * The channel range lets callers split the work (threads) by output channels.
 */
export function csrSpmm(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, o0: number, o1: number, lanes: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, rowsOuter = false,
): void {
  // Rows outer: one output channel's nonzeros (and the activation rows they select) stay in L1
  // across every lane tile: the better order when the weight is large and the lanes few (GEMM).
  if (rowsOuter) { for (let o = o0; o < o1; o++) csrLanes(rowPtr, col, val, o, o + 1, lanes, x, xOff, ldx, y, yOff, rsY, csY, e); }
  else csrLanes(rowPtr, col, val, o0, o1, lanes, x, xOff, ldx, y, yOff, rsY, csY, e);
}

function csrLanes(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, o0: number, o1: number, lanes: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue,
): void {
  let t = 0;
  for (; t + 8 <= lanes; t += 8) csr8(rowPtr, col, val, o0, o1, x, xOff + t, ldx, y, yOff + t * csY, rsY, csY, e);
  if (t + 4 <= lanes) { csr4(rowPtr, col, val, o0, o1, x, xOff + t, ldx, y, yOff + t * csY, rsY, csY, e); t += 4; }
  for (; t < lanes; t++) csr1(rowPtr, col, val, o0, o1, x, xOff + t, ldx, y, yOff + t * csY, rsY, e);
}

function csr8(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, o0: number, o1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue,
): void {
  const bias = e.bias, code = e.code, hi = e.hi;
  for (let o = o0; o < o1; o++) {
    const b = bias ? bias[o] : 0;
    let a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
    for (let j = rowPtr[o], end = rowPtr[o + 1]; j < end; j++) {
      const v = val[j], p = xOff + col[j] * ldx;
      a0 += v * x[p]; a1 += v * x[p + 1]; a2 += v * x[p + 2]; a3 += v * x[p + 3];
      a4 += v * x[p + 4]; a5 += v * x[p + 5]; a6 += v * x[p + 6]; a7 += v * x[p + 7];
    }
    // Spelled out, not a helper: a call that V8 does not inline boxes every double it is passed.
    if (code !== 0) {
      a0 = (a0 + Math.abs(a0)) * 0.5; a1 = (a1 + Math.abs(a1)) * 0.5; a2 = (a2 + Math.abs(a2)) * 0.5; a3 = (a3 + Math.abs(a3)) * 0.5;
      a4 = (a4 + Math.abs(a4)) * 0.5; a5 = (a5 + Math.abs(a5)) * 0.5; a6 = (a6 + Math.abs(a6)) * 0.5; a7 = (a7 + Math.abs(a7)) * 0.5;
      if (code === 2) {
        let d = hi - a0; a0 = hi - (d + Math.abs(d)) * 0.5; d = hi - a1; a1 = hi - (d + Math.abs(d)) * 0.5;
        d = hi - a2; a2 = hi - (d + Math.abs(d)) * 0.5; d = hi - a3; a3 = hi - (d + Math.abs(d)) * 0.5;
        d = hi - a4; a4 = hi - (d + Math.abs(d)) * 0.5; d = hi - a5; a5 = hi - (d + Math.abs(d)) * 0.5;
        d = hi - a6; a6 = hi - (d + Math.abs(d)) * 0.5; d = hi - a7; a7 = hi - (d + Math.abs(d)) * 0.5;
      }
    }
    let q = yOff + o * rsY;
    y[q] = a0; q += csY; y[q] = a1; q += csY; y[q] = a2; q += csY; y[q] = a3; q += csY;
    y[q] = a4; q += csY; y[q] = a5; q += csY; y[q] = a6; q += csY; y[q] = a7;
  }
}

function csr4(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, o0: number, o1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue,
): void {
  const bias = e.bias;
  for (let o = o0; o < o1; o++) {
    const b = bias ? bias[o] : 0;
    let a0 = b, a1 = b, a2 = b, a3 = b;
    for (let j = rowPtr[o], end = rowPtr[o + 1]; j < end; j++) {
      const v = val[j], p = xOff + col[j] * ldx;
      a0 += v * x[p]; a1 += v * x[p + 1]; a2 += v * x[p + 2]; a3 += v * x[p + 3];
    }
    const q = yOff + o * rsY;
    y[q] = a0; y[q + csY] = a1; y[q + 2 * csY] = a2; y[q + 3 * csY] = a3;
    if (e.code !== 0) clampStored(y, q, 4, csY, e.code, e.hi);
  }
}

function csr1(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, o0: number, o1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, e: SparseEpilogue,
): void {
  const bias = e.bias;
  for (let o = o0; o < o1; o++) {
    let a = bias ? bias[o] : 0;
    for (let j = rowPtr[o], end = rowPtr[o + 1]; j < end; j++) a += val[j] * x[xOff + col[j] * ldx];
    const q = yOff + o * rsY;
    y[q] = a;
    if (e.code !== 0) clampStored(y, q, 1, 0, e.code, e.hi);
  }
}

/**
 * The same product for a BSR weight with [1, 4] blocks (one K index by four output channels):
 * each loaded activation feeds four outputs, so 8 lanes keep 32 sums (4 lanes: 16, like the
 * dense 4x4 GEMM tile) and a block costs 8 activation loads for 32 multiply-adds. `rowPtr` /
 * `col` / `val` are BsrWeight's arrays; a last block row sticking out past `rows` (padding) is
 * computed but only its real channels are stored. Block rows [R0, R1) let callers split the work.
 */
export function bsr4Spmm(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, rows: number, R0: number, R1: number, lanes: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, acc: Float64Array,
): void {
  let t = 0;
  for (; t + 8 <= lanes; t += 8) bsr4x8(rowPtr, col, val, rows, R0, R1, x, xOff + t, ldx, y, yOff + t * csY, rsY, csY, e, acc);
  if (t + 4 <= lanes) { bsr4x4(rowPtr, col, val, rows, R0, R1, x, xOff + t, ldx, y, yOff + t * csY, rsY, csY, e, acc); t += 4; }
  for (; t < lanes; t++) bsr4x1(rowPtr, col, val, rows, R0, R1, x, xOff + t, ldx, y, yOff + t * csY, rsY, e, acc);
}

function bsr4x8(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, rows: number, R0: number, R1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, acc: Float64Array,
): void {
  for (let R = R0; R < R1; R++) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
    for (let j = rowPtr[R], end = rowPtr[R + 1]; j < end; j++) {
      const w = j * 4, p = xOff + col[j] * ldx;
      const v0 = val[w], v1 = val[w + 1], v2 = val[w + 2], v3 = val[w + 3];
      let xv = x[p]; c00 += v0 * xv; c10 += v1 * xv; c20 += v2 * xv; c30 += v3 * xv;
      xv = x[p + 1]; c01 += v0 * xv; c11 += v1 * xv; c21 += v2 * xv; c31 += v3 * xv;
      xv = x[p + 2]; c02 += v0 * xv; c12 += v1 * xv; c22 += v2 * xv; c32 += v3 * xv;
      xv = x[p + 3]; c03 += v0 * xv; c13 += v1 * xv; c23 += v2 * xv; c33 += v3 * xv;
      xv = x[p + 4]; c04 += v0 * xv; c14 += v1 * xv; c24 += v2 * xv; c34 += v3 * xv;
      xv = x[p + 5]; c05 += v0 * xv; c15 += v1 * xv; c25 += v2 * xv; c35 += v3 * xv;
      xv = x[p + 6]; c06 += v0 * xv; c16 += v1 * xv; c26 += v2 * xv; c36 += v3 * xv;
      xv = x[p + 7]; c07 += v0 * xv; c17 += v1 * xv; c27 += v2 * xv; c37 += v3 * xv;
    }
    const o = R * 4;
    if (o + 4 <= rows) { // a whole block row: straight stores, no staging
      const b = e.bias, s = csY;
      let q = yOff + o * rsY, bb = b ? b[o] : 0;
      y[q] = c00 + bb; y[q + s] = c01 + bb; y[q + 2 * s] = c02 + bb; y[q + 3 * s] = c03 + bb; y[q + 4 * s] = c04 + bb; y[q + 5 * s] = c05 + bb; y[q + 6 * s] = c06 + bb; y[q + 7 * s] = c07 + bb;
      q += rsY; bb = b ? b[o + 1] : 0;
      y[q] = c10 + bb; y[q + s] = c11 + bb; y[q + 2 * s] = c12 + bb; y[q + 3 * s] = c13 + bb; y[q + 4 * s] = c14 + bb; y[q + 5 * s] = c15 + bb; y[q + 6 * s] = c16 + bb; y[q + 7 * s] = c17 + bb;
      q += rsY; bb = b ? b[o + 2] : 0;
      y[q] = c20 + bb; y[q + s] = c21 + bb; y[q + 2 * s] = c22 + bb; y[q + 3 * s] = c23 + bb; y[q + 4 * s] = c24 + bb; y[q + 5 * s] = c25 + bb; y[q + 6 * s] = c26 + bb; y[q + 7 * s] = c27 + bb;
      q += rsY; bb = b ? b[o + 3] : 0;
      y[q] = c30 + bb; y[q + s] = c31 + bb; y[q + 2 * s] = c32 + bb; y[q + 3 * s] = c33 + bb; y[q + 4 * s] = c34 + bb; y[q + 5 * s] = c35 + bb; y[q + 6 * s] = c36 + bb; y[q + 7 * s] = c37 + bb;
      if (e.code !== 0) for (let r = 0, q0 = yOff + o * rsY; r < 4; r++, q0 += rsY) clampStored(y, q0, 8, s, e.code, e.hi);
      continue;
    }
    acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03; acc[4] = c04; acc[5] = c05; acc[6] = c06; acc[7] = c07;
    acc[8] = c10; acc[9] = c11; acc[10] = c12; acc[11] = c13; acc[12] = c14; acc[13] = c15; acc[14] = c16; acc[15] = c17;
    acc[16] = c20; acc[17] = c21; acc[18] = c22; acc[19] = c23; acc[20] = c24; acc[21] = c25; acc[22] = c26; acc[23] = c27;
    store(acc, 8, o, rows, 8, y, yOff, rsY, csY, e);
  }
}

function bsr4x4(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, rows: number, R0: number, R1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, acc: Float64Array,
): void {
  for (let R = R0; R < R1; R++) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let j = rowPtr[R], end = rowPtr[R + 1]; j < end; j++) {
      const w = j * 4, p = xOff + col[j] * ldx;
      const x0 = x[p], x1 = x[p + 1], x2 = x[p + 2], x3 = x[p + 3];
      const v0 = val[w], v1 = val[w + 1], v2 = val[w + 2], v3 = val[w + 3];
      c00 += v0 * x0; c01 += v0 * x1; c02 += v0 * x2; c03 += v0 * x3;
      c10 += v1 * x0; c11 += v1 * x1; c12 += v1 * x2; c13 += v1 * x3;
      c20 += v2 * x0; c21 += v2 * x1; c22 += v2 * x2; c23 += v2 * x3;
      c30 += v3 * x0; c31 += v3 * x1; c32 += v3 * x2; c33 += v3 * x3;
    }
    acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03; acc[4] = c10; acc[5] = c11; acc[6] = c12; acc[7] = c13;
    acc[8] = c20; acc[9] = c21; acc[10] = c22; acc[11] = c23; acc[12] = c30; acc[13] = c31; acc[14] = c32; acc[15] = c33;
    store(acc, 4, R * 4, rows, 4, y, yOff, rsY, csY, e);
  }
}

function bsr4x1(
  rowPtr: Int32Array, col: Uint16Array | Int32Array, val: Float32Array, rows: number, R0: number, R1: number,
  x: Float32Array, xOff: number, ldx: number, y: Float32Array, yOff: number, rsY: number, e: SparseEpilogue, acc: Float64Array,
): void {
  for (let R = R0; R < R1; R++) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let j = rowPtr[R], end = rowPtr[R + 1]; j < end; j++) {
      const w = j * 4, xv = x[xOff + col[j] * ldx];
      c0 += val[w] * xv; c1 += val[w + 1] * xv; c2 += val[w + 2] * xv; c3 += val[w + 3] * xv;
    }
    acc[0] = c0; acc[1] = c1; acc[2] = c2; acc[3] = c3;
    store(acc, 1, R * 4, rows, 1, y, yOff, rsY, 0, e);
  }
}

/** Writes sums acc[r * stride + t] + bias of channels o .. o + 3 (those below `rows`) for `lanes` lanes, then the epilogue. */
function store(acc: Float64Array, stride: number, o: number, rows: number, lanes: number, y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue): void {
  const n = Math.min(4, rows - o);
  for (let r = 0; r < n; r++) {
    const b = e.bias ? e.bias[o + r] : 0, q = yOff + (o + r) * rsY;
    for (let t = 0; t < lanes; t++) y[q + t * csY] = acc[r * stride + t] + b;
    if (e.code !== 0) clampStored(y, q, lanes, csY, e.code, e.hi);
  }
}

/** One SpMM over all output channels of a prepared operand (CSR or [1, 4] BSR); see csrSpmm for `rowsOuter`. */
export function spmm(
  w: SparseOperand, lanes: number, x: Float32Array, xOff: number, ldx: number,
  y: Float32Array, yOff: number, rsY: number, csY: number, e: SparseEpilogue, acc: Float64Array, rowsOuter = false,
): void {
  if (w.kind === 'csr') csrSpmm(w.rowPtr, w.col, w.val, 0, w.rows, lanes, x, xOff, ldx, y, yOff, rsY, csY, e, rowsOuter);
  else bsr4Spmm(w.rowPtr, w.col, w.val, w.rows, 0, w.blockRows, lanes, x, xOff, ldx, y, yOff, rsY, csY, e, acc);
}
