import { int8Scale, quantizeInt8 } from './q-round.js';

/**
 * INT8 GEMM cores. Weights are int8 rows, one per output channel (W[n, k] at w[n * stride + k]);
 * outputs go to y[yOff + r * rsY + n * csY], so a MatMul (rsY = N, csY = 1) and a conv writing
 * NCHW from pixel rows (rsY = 1, csY = P) share them. Both take a channel range [n0, n1) so
 * callers can split the work (threads) by channels.
 *
 * int8 x int8 -> int32 runs as SWAR in float64: two activation rows are packed in one double,
 * pair = q[r][k] + q[r + 1][k] * 2^27, so one multiply-add by an int8 weight advances two
 * integer dot products, both exact while |sum| < 2^26 (K <= 4096 per chunk: 4096 * 127^2 < 2^26).
 * V8 runs this scalar float code at the speed of its float32 GEMM while doing twice the work
 * per multiply and reading weights as bytes (measured in bench/quant.ts).
 */
export const LANE = 134217728; // 2^27
export const SWAR_K = 4096;

/**
 * Quantize rows r0 .. r0 + rows of A (row r at a[aOff + r * lda], K elements) to int8 with a
 * symmetric per-row scale and pack them in pairs: pairs[p * K + k] = q[2p][k] + q[2p + 1][k] * 2^27
 * (an odd last row pairs with zeros). rowScale[r] = max |row| / 127 rounded to float32.
 */
export function quantizeRowPairs(a: Float32Array, aOff: number, lda: number, rows: number, K: number, pairs: Float64Array, rowScale: Float32Array): void {
  for (let r = 0; r < rows; r += 2) {
    const o0 = aOff + r * lda, o1 = o0 + lda, p = (r >> 1) * K, two = r + 1 < rows;
    const s0 = Math.fround(int8Scale(a, o0, K)), s1 = two ? Math.fround(int8Scale(a, o1, K)) : 0;
    rowScale[r] = s0;
    if (two) rowScale[r + 1] = s1;
    const i0 = s0 === 0 ? 0 : 1 / s0, i1 = s1 === 0 ? 0 : 1 / s1;
    if (two) for (let k = 0; k < K; k++) pairs[p + k] = quantizeInt8(a[o0 + k], i0) + quantizeInt8(a[o1 + k], i1) * LANE;
    else for (let k = 0; k < K; k++) pairs[p + k] = quantizeInt8(a[o0 + k], i0);
  }
}

/** Split a SWAR sum into its low and high lanes (low = v - high * 2^27, |low| < 2^26). */
function high(v: number): number { return Math.round(v / LANE); }

/**
 * y = (sum_k qa[r, k] * w[n, k]) * rowScale[r] * colScale[n] (+ bias[n]) for rows 0 .. M and
 * channels n0 .. n1, from row pairs made by quantizeRowPairs. `acc` is 16 doubles of scratch.
 * Tiles of 2 pairs (4 rows) x 4 channels: 8 accumulators, 2 pair loads and 4 byte loads per k.
 */
export function gemmI8Pairs(
  M: number, K: number, pairs: Float64Array, w: Int8Array, stride: number, n0: number, n1: number,
  rowScale: Float32Array, colScale: Float32Array, bias: Float32Array | undefined,
  y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array,
): void {
  const P = (M + 1) >> 1, P2 = P - (P % 2), n4 = n1 - ((n1 - n0) % 4);
  for (let p = 0; p < P2; p += 2) {
    for (let n = n0; n < n4; n += 4) {
      acc.fill(0);
      for (let k0 = 0; k0 < K; k0 += SWAR_K) {
        const k1 = Math.min(K, k0 + SWAR_K);
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        const a0 = p * K, a1 = a0 + K, w0 = n * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        for (let k = k0; k < k1; k++) {
          const x0 = pairs[a0 + k], x1 = pairs[a1 + k];
          const y0 = w[w0 + k], y1 = w[w1 + k], y2 = w[w2 + k], y3 = w[w3 + k];
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        }
        spill(acc, 0, c00, c01, c02, c03);
        spill(acc, 8, c10, c11, c12, c13);
      }
      store(acc, 2 * p, M, n, 4, rowScale, colScale, bias, y, yOff, rsY, csY);
      store(acc, 2 * p + 2, M, n, 4, rowScale, colScale, bias, y, yOff, rsY, csY, 8);
    }
  }
  // Edges: the last pair (odd pair count) for all channels, then leftover channels for the tiled pairs.
  for (let p = P2; p < P; p++) for (let n = n0; n < n1; n++) edge(p, n, K, pairs, w, stride, M, rowScale, colScale, bias, y, yOff, rsY, csY, acc);
  for (let p = 0; p < P2; p++) for (let n = n4; n < n1; n++) edge(p, n, K, pairs, w, stride, M, rowScale, colScale, bias, y, yOff, rsY, csY, acc);
}

/** Adds the lanes of four pair sums to acc[at ..]: low lanes at acc[at + j], high lanes at acc[at + 4 + j]. */
function spill(acc: Float64Array, at: number, c0: number, c1: number, c2: number, c3: number): void {
  let h = high(c0); acc[at] += c0 - h * LANE; acc[at + 4] += h;
  h = high(c1); acc[at + 1] += c1 - h * LANE; acc[at + 5] += h;
  h = high(c2); acc[at + 2] += c2 - h * LANE; acc[at + 6] += h;
  h = high(c3); acc[at + 3] += c3 - h * LANE; acc[at + 7] += h;
}

/** Writes one row pair (rows r, r + 1) of `cols` channels from acc[at ..] (layout of spill). */
function store(
  acc: Float64Array, r: number, M: number, n: number, cols: number, rowScale: Float32Array, colScale: Float32Array,
  bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number, at = 0,
): void {
  for (let lane = 0; lane < 2; lane++) {
    const row = r + lane;
    if (row >= M) return;
    const sr = rowScale[row], base = yOff + row * rsY;
    for (let j = 0; j < cols; j++) {
      const c = n + j;
      y[base + c * csY] = acc[at + lane * 4 + j] * sr * colScale[c] + (bias ? bias[c] : 0);
    }
  }
}

function edge(
  p: number, n: number, K: number, pairs: Float64Array, w: Int8Array, stride: number, M: number,
  rowScale: Float32Array, colScale: Float32Array, bias: Float32Array | undefined,
  y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array,
): void {
  acc.fill(0);
  for (let k0 = 0; k0 < K; k0 += SWAR_K) {
    const k1 = Math.min(K, k0 + SWAR_K), a0 = p * K, w0 = n * stride;
    let c = 0;
    for (let k = k0; k < k1; k++) c += pairs[a0 + k] * w[w0 + k];
    const h = high(c);
    acc[0] += c - h * LANE; acc[4] += h;
  }
  store(acc, 2 * p, M, n, 1, rowScale, colScale, bias, y, yOff, rsY, csY);
}

/**
 * Float activations x int8 weights: y = (sum_k a[r, k] * q[n, k]) * colScale[n] (+ bias[n]).
 * The weights stay bytes (a quarter of float32's memory traffic); the scale is applied once per
 * output. Tiles of 4 rows x 2 channels.
 */
export function gemmF32I8(
  M: number, K: number, a: Float32Array, aOff: number, lda: number, w: Int8Array, stride: number, n0: number, n1: number,
  colScale: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
): void {
  const M4 = M - (M % 4), n2 = n1 - ((n1 - n0) % 2);
  for (let r = 0; r < M4; r += 4) {
    const a0 = aOff + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    for (let n = n0; n < n2; n += 2) {
      const w0 = n * stride, w1 = w0 + stride;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = w[w0 + k], y1 = w[w1 + k];
        let x = a[a0 + k]; c00 += x * y0; c01 += x * y1;
        x = a[a1 + k]; c10 += x * y0; c11 += x * y1;
        x = a[a2 + k]; c20 += x * y0; c21 += x * y1;
        x = a[a3 + k]; c30 += x * y0; c31 += x * y1;
      }
      const s0 = colScale[n], s1 = colScale[n + 1], b0 = bias ? bias[n] : 0, b1 = bias ? bias[n + 1] : 0;
      let o = yOff + r * rsY + n * csY;
      y[o] = c00 * s0 + b0; y[o + csY] = c01 * s1 + b1; o += rsY;
      y[o] = c10 * s0 + b0; y[o + csY] = c11 * s1 + b1; o += rsY;
      y[o] = c20 * s0 + b0; y[o + csY] = c21 * s1 + b1; o += rsY;
      y[o] = c30 * s0 + b0; y[o + csY] = c31 * s1 + b1;
    }
  }
  for (let r = M4; r < M; r++) for (let n = n0; n < n1; n++) dotF32I8(r, n, K, a, aOff, lda, w, stride, colScale, bias, y, yOff, rsY, csY);
  for (let r = 0; r < M4; r++) for (let n = n2; n < n1; n++) dotF32I8(r, n, K, a, aOff, lda, w, stride, colScale, bias, y, yOff, rsY, csY);
}

function dotF32I8(
  r: number, n: number, K: number, a: Float32Array, aOff: number, lda: number, w: Int8Array, stride: number,
  colScale: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
): void {
  const a0 = aOff + r * lda, w0 = n * stride;
  let c = 0;
  for (let k = 0; k < K; k++) c += a[a0 + k] * w[w0 + k];
  y[yOff + r * rsY + n * csY] = c * colScale[n] + (bias ? bias[n] : 0);
}
