
/**
 * INT8 GEMM cores over int8 column panels (q-panel.ts: four channels' weights per u32 word).
 * Outputs go to y[yOff + r * rsY + n * csY], so a MatMul (rsY = N, csY = 1) and a conv writing
 * NCHW from pixel rows (rsY = 1, csY = P) share them; [jb0, jb1) is a range of 4-channel blocks
 * so callers can split the work (threads) by channels.
 *
 * int8 x int8 -> int32 runs as SWAR in float64: two activation rows are packed in one double,
 * pair = q[r][k] + q[r + 1][k] * 2^27, so one multiply-add by an int8 weight advances two
 * integer dot products, both exact while |sum| < 2^26 (K <= 4096 per chunk: 4096 * 127^2 < 2^26).
 * A 3-pair x 4-channel tile (12 accumulators, 24 dot products) costs 4 loads per k.
 */
export const LANE = 134217728; // 2^27
export const SWAR_K = 4096;
/** 2^-27: multiplying by it is exact (a power of two) and cheaper than dividing by LANE. */
export const INV_LANE = 1 / LANE;

/**
 * Quantize rows 0 .. rows of A (row r at a[aOff + r * lda], K elements) to int8 with a
 * symmetric per-row scale and pack them in pairs: pairs[p * K + k] = q[2p][k] + q[2p + 1][k] * 2^27
 * (an odd last row pairs with zeros). rowScale[r] = max |row| / 127 rounded to float32.
 */
export function quantizeRowPairs(a: Float32Array, aOff: number, lda: number, rows: number, K: number, pairs: Float64Array, rowScale: Float32Array): void {
  for (let r = 0; r < rows; r += 2) {
    const o0 = aOff + r * lda, o1 = o0 + lda, p = (r >> 1) * K, two = r + 1 < rows;
    const s0 = Math.fround(absMax(a, o0, K) / 127), s1 = two ? Math.fround(absMax(a, o1, K) / 127) : 0;
    rowScale[r] = s0;
    if (two) rowScale[r + 1] = s1;
    const i0 = s0 === 0 ? 0 : 1 / s0, i1 = s1 === 0 ? 0 : 1 / s1;
    // x * inv is within [-127, 127] by construction (max |x| * (1 / fround(max |x| / 127)) rounds
    // to 127 at most), so no clamp; RNE below is roundHalfEven of q-round.ts, exactly.
    if (two) for (let k = 0; k < K; k++) pairs[p + k] = (a[o0 + k] * i0 + RNE) - RNE + ((a[o1 + k] * i1 + RNE) - RNE) * LANE;
    else for (let k = 0; k < K; k++) pairs[p + k] = (a[o0 + k] * i0 + RNE) - RNE;
  }
}

/**
 * Adding and subtracting 1.5 * 2^52 rounds a double of magnitude below 2^51 to the nearest
 * integer, ties to even (IEEE default rounding): Math.round without its ties-up bias or a call.
 */
export const RNE = 6755399441055744;

/** max |x| over x[off .. off + n) (NaN propagates, as int8Scale's does). */
export function absMax(x: Float32Array, off: number, n: number): number {
  let m = 0;
  for (let i = off, e = off + n; i < e; i++) {
    const v = x[i] < 0 ? -x[i] : x[i];
    if (!(v <= m)) m = v;
  }
  return m;
}

/** acc[at] += low lane of v, acc[at + 4] += high lane (|low| < 2^26, so rounding v / 2^27 finds the high lane). */
function split(acc: Float64Array, at: number, v: number): void {
  const h = Math.round(v * INV_LANE);
  acc[at] += v - h * LANE;
  acc[at + 4] += h;
}

/**
 * y = (sum_k qa[r, k] * q[n, k]) * rowScale[r] * colScale[n] (+ bias[n]) for rows 0 .. M and the
 * channels of blocks jb0 .. jb1 (< N), from row pairs (quantizeRowPairs) and an int8 panel.
 * `acc` is 24 doubles of scratch: pair i, lane l, channel t at (2i + l) * 4 + t.
 */
export function gemmI8Pairs(
  M: number, K: number, pairs: Float64Array, panel: Int32Array, jb0: number, jb1: number, N: number,
  rowScale: Float32Array, colScale: Float32Array, bias: Float32Array | undefined,
  y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array,
): void {
  const P = (M + 1) >> 1, P3 = P - (P % 3);
  for (let jb = jb0; jb < jb1; jb++) {
    const wb = jb * K;
    for (let p = 0; p < P3; p += 3) {
      acc.fill(0);
      const a0 = p * K, a1 = a0 + K, a2 = a1 + K;
      for (let k0 = 0; k0 < K; k0 += SWAR_K) {
        const k1 = Math.min(K, k0 + SWAR_K);
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        for (let k = k0; k < k1; k++) {
          const u = panel[wb + k];
          const w0 = (u << 24) >> 24, w1 = (u << 16) >> 24, w2 = (u << 8) >> 24, w3 = u >> 24;
          let x = pairs[a0 + k]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
          x = pairs[a1 + k]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
          x = pairs[a2 + k]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
        }
        split(acc, 0, c00); split(acc, 1, c01); split(acc, 2, c02); split(acc, 3, c03);
        split(acc, 8, c10); split(acc, 9, c11); split(acc, 10, c12); split(acc, 11, c13);
        split(acc, 16, c20); split(acc, 17, c21); split(acc, 18, c22); split(acc, 19, c23);
      }
      store(acc, 2 * p, 6, M, jb, N, rowScale, colScale, bias, y, yOff, rsY, csY);
    }
    for (let p = P3; p < P; p++) {
      acc.fill(0);
      const a0 = p * K;
      for (let k0 = 0; k0 < K; k0 += SWAR_K) {
        const k1 = Math.min(K, k0 + SWAR_K);
        let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (let k = k0; k < k1; k++) {
          const u = panel[wb + k], x = pairs[a0 + k];
          c0 += x * ((u << 24) >> 24); c1 += x * ((u << 16) >> 24); c2 += x * ((u << 8) >> 24); c3 += x * (u >> 24);
        }
        split(acc, 0, c0); split(acc, 1, c1); split(acc, 2, c2); split(acc, 3, c3);
      }
      store(acc, 2 * p, 2, M, jb, N, rowScale, colScale, bias, y, yOff, rsY, csY);
    }
  }
}

/** Writes `rows` rows from r0 of block jb: acc[(r - r0) * 4 + t] * rowScale * colScale + bias, skipping rows >= M and channels >= N. */
function store(
  acc: Float64Array, r0: number, rows: number, M: number, jb: number, N: number, rowScale: Float32Array, colScale: Float32Array,
  bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
): void {
  const n0 = jb * 4, cols = Math.min(4, N - n0);
  for (let i = 0; i < rows && r0 + i < M; i++) {
    const sr = rowScale[r0 + i], base = yOff + (r0 + i) * rsY;
    for (let t = 0; t < cols; t++) y[base + (n0 + t) * csY] = acc[i * 4 + t] * sr * colScale[n0 + t] + (bias ? bias[n0 + t] : 0);
  }
}

/**
 * Float activations x int8 weights: y = (sum_k a[r, k] * q[n, k]) * colScale[n] (+ bias[n]).
 * The weights stay bytes (a quarter of float32's memory traffic) and the scale is applied once
 * per output. Tiles of 3 rows x 4 channels.
 */
export function gemmF32I8(
  M: number, K: number, a: Float32Array, aOff: number, lda: number, panel: Int32Array, jb0: number, jb1: number, N: number,
  colScale: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
): void {
  const M3 = M - (M % 3);
  for (let jb = jb0; jb < jb1; jb++) {
    const wb = jb * K, n0 = jb * 4, cols = Math.min(4, N - n0);
    for (let r = 0; r < M3; r += 3) {
      const a0 = aOff + r * lda, a1 = a0 + lda, a2 = a1 + lda;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      for (let k = 0; k < K; k++) {
        const u = panel[wb + k];
        const w0 = (u << 24) >> 24, w1 = (u << 16) >> 24, w2 = (u << 8) >> 24, w3 = u >> 24;
        let x = a[a0 + k]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
        x = a[a1 + k]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
        x = a[a2 + k]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
      }
      storeF(c00, c01, c02, c03, r, yOff, rsY, csY, n0, cols, colScale, bias, y);
      storeF(c10, c11, c12, c13, r + 1, yOff, rsY, csY, n0, cols, colScale, bias, y);
      storeF(c20, c21, c22, c23, r + 2, yOff, rsY, csY, n0, cols, colScale, bias, y);
    }
    for (let r = M3; r < M; r++) {
      const a0 = aOff + r * lda;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const u = panel[wb + k], x = a[a0 + k];
        c0 += x * ((u << 24) >> 24); c1 += x * ((u << 16) >> 24); c2 += x * ((u << 8) >> 24); c3 += x * (u >> 24);
      }
      storeF(c0, c1, c2, c3, r, yOff, rsY, csY, n0, cols, colScale, bias, y);
    }
  }
}

function storeF(c0: number, c1: number, c2: number, c3: number, r: number, yOff: number, rsY: number, csY: number, n0: number, cols: number, s: Float32Array, b: Float32Array | undefined, y: Float32Array): void {
  const o = yOff + r * rsY + n0 * csY;
  y[o] = c0 * s[n0] + (b ? b[n0] : 0);
  if (cols > 1) y[o + csY] = c1 * s[n0 + 1] + (b ? b[n0 + 1] : 0);
  if (cols > 2) y[o + 2 * csY] = c2 * s[n0 + 2] + (b ? b[n0 + 2] : 0);
  if (cols > 3) y[o + 3 * csY] = c3 * s[n0 + 3] + (b ? b[n0 + 3] : 0);
}
