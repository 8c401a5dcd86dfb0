import { INV_LANE, LANE } from './q-gemm-i8.js';

/**
 * INT4 GEMM cores over int4 column panels (q-panel.ts: one u32 word holds two consecutive k of
 * four channels, nibbles u = q + 8). Nibbles are unpacked on the fly and the "- 8" (or a
 * MatMulNBits zero point z) is taken out of the inner loop: sum_k a_k (u_k - z) = sum_k a_k u_k -
 * z * sum_k a_k, with the group sums of a computed once per row tile. Full groups run word by
 * word; a last group cut short by K (padded in storage) runs element by element. Scales (and
 * zeros) are per channel and group, padded to whole 4-channel blocks. Outputs as in q-gemm-i8.ts.
 */

/** Sum of a[r, k] over each group (k < K) for `rows` rows from row r0, into gs[i * blocks + g]. */
function groupSums(a: Float32Array | Float64Array, aOff: number, lda: number, r0: number, rows: number, K: number, G: number, blocks: number, gs: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const o = aOff + (r0 + i) * lda;
    for (let g = 0; g < blocks; g++) {
      let s = 0;
      for (let k = g * G, e = Math.min(K, k + G); k < e; k++) s += a[o + k];
      gs[i * blocks + g] = s;
    }
  }
}

/** sum over k in [k0, k1) of a[a0 + k] * u[channel t of the block, k], element by element. */
function partialDot(a: Float32Array | Float64Array, a0: number, panel: Int32Array, wb: number, t: number, k0: number, k1: number): number {
  let c = 0;
  for (let k = k0; k < k1; k++) c += a[a0 + k] * ((panel[wb + (k >> 1)] >>> ((k & 1) * 16 + 4 * t)) & 15);
  return c;
}

/**
 * Float activations x int4 weights: y = sum_g scale[n, g] * sum_{k in g} a[r, k] * (u[n, k] - z[n, g])
 * (+ bias[n]), z = 8 unless `zeros` gives it. Tiles of 3 rows x 4 channels; `acc` is 12 doubles,
 * `gs` 3 * blocks doubles.
 */
export function gemmF32I4(
  M: number, K: number, a: Float32Array, aOff: number, lda: number, panel: Int32Array, G: number, blocks: number, jb0: number, jb1: number, N: number,
  scales: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array, gs: Float64Array,
  zeros?: Float32Array,
): void {
  const K2 = (blocks * G) >> 1, full = Math.floor(K / G), wpg = G >> 1;
  for (let r = 0; r < M; r += 3) {
    const rows = Math.min(3, M - r);
    groupSums(a, aOff, lda, r, rows, K, G, blocks, gs);
    // A short tile reads its last row again (results not stored): one loop body for all tiles.
    const a0 = aOff + r * lda, a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a1 + lda : a1;
    for (let jb = jb0; jb < jb1; jb++) {
      const wb = jb * K2, n0 = jb * 4;
      acc.fill(0);
      for (let g = 0; g < full; g++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        for (let kk = g * wpg, ke = kk + wpg, k = g * G; kk < ke; kk++, k += 2) {
          const u = panel[wb + kk];
          let w0 = u & 15, w1 = (u >> 4) & 15, w2 = (u >> 8) & 15, w3 = (u >> 12) & 15;
          let x = a[a0 + k]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
          x = a[a1 + k]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
          x = a[a2 + k]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
          w0 = (u >> 16) & 15; w1 = (u >> 20) & 15; w2 = (u >> 24) & 15; w3 = (u >>> 28);
          x = a[a0 + k + 1]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
          x = a[a1 + k + 1]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
          x = a[a2 + k + 1]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
        }
        const si = n0 * blocks + g, s0 = scales[si], s1 = scales[si + blocks], s2 = scales[si + 2 * blocks], s3 = scales[si + 3 * blocks];
        const z0 = zeros ? zeros[si] : 8, z1 = zeros ? zeros[si + blocks] : 8, z2 = zeros ? zeros[si + 2 * blocks] : 8, z3 = zeros ? zeros[si + 3 * blocks] : 8;
        let q = gs[g];
        acc[0] += (c00 - z0 * q) * s0; acc[1] += (c01 - z1 * q) * s1; acc[2] += (c02 - z2 * q) * s2; acc[3] += (c03 - z3 * q) * s3;
        q = rows > 1 ? gs[blocks + g] : q;
        acc[4] += (c10 - z0 * q) * s0; acc[5] += (c11 - z1 * q) * s1; acc[6] += (c12 - z2 * q) * s2; acc[7] += (c13 - z3 * q) * s3;
        q = rows > 2 ? gs[2 * blocks + g] : q;
        acc[8] += (c20 - z0 * q) * s0; acc[9] += (c21 - z1 * q) * s1; acc[10] += (c22 - z2 * q) * s2; acc[11] += (c23 - z3 * q) * s3;
      }
      const cols = Math.min(4, N - n0);
      for (let i = 0; i < rows; i++) {
        const ar = aOff + (r + i) * lda, o = yOff + (r + i) * rsY;
        for (let t = 0; t < cols; t++) {
          let v = acc[i * 4 + t];
          if (full < blocks) {
            const si = (n0 + t) * blocks + full;
            v += (partialDot(a, ar, panel, wb, t, full * G, K) - (zeros ? zeros[si] : 8) * gs[i * blocks + full]) * scales[si];
          }
          y[o + (n0 + t) * csY] = v + (bias ? bias[n0 + t] : 0);
        }
      }
    }
  }
}

/** acc[at] += low lane * s, acc[at + 4] += high lane * s (exact integer lanes, |low| < 2^26). */
function split(acc: Float64Array, at: number, v: number, s: number): void {
  const h = Math.round(v * INV_LANE);
  acc[at] += (v - h * LANE) * s;
  acc[at + 4] += h * s;
}

/**
 * int8 activation row pairs (see quantizeRowPairs) x int4 weights: per group an exact SWAR
 * integer sum (|sum| <= 128 * 127 * 15 < 2^26), split into its two rows and scaled by the group
 * scale; y = rowScale[r] * sum_g scale[n, g] * isum_g (+ bias[n]). Tiles of 3 pairs (6 rows) x
 * 4 channels; `acc` is 24 doubles (pair i, lane l, channel t at (2i + l) * 4 + t), `gs` 3 * blocks.
 */
export function gemmI8I4(
  M: number, K: number, pairs: Float64Array, panel: Int32Array, G: number, blocks: number, jb0: number, jb1: number, N: number,
  rowScale: Float32Array, scales: Float32Array, bias: Float32Array | undefined,
  y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array, gs: Float64Array,
): void {
  const K2 = (blocks * G) >> 1, full = Math.floor(K / G), wpg = G >> 1, P = (M + 1) >> 1;
  for (let p = 0; p < P; p += 3) {
    const np = Math.min(3, P - p);
    groupSums(pairs, 0, K, p, np, K, G, blocks, gs);
    const a0 = p * K, a1 = np > 1 ? a0 + K : a0, a2 = np > 2 ? a1 + K : a1;
    for (let jb = jb0; jb < jb1; jb++) {
      const wb = jb * K2, n0 = jb * 4;
      acc.fill(0);
      for (let g = 0; g < full; g++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        for (let kk = g * wpg, ke = kk + wpg, k = g * G; kk < ke; kk++, k += 2) {
          const u = panel[wb + kk];
          let w0 = u & 15, w1 = (u >> 4) & 15, w2 = (u >> 8) & 15, w3 = (u >> 12) & 15;
          let x = pairs[a0 + k]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
          x = pairs[a1 + k]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
          x = pairs[a2 + k]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
          w0 = (u >> 16) & 15; w1 = (u >> 20) & 15; w2 = (u >> 24) & 15; w3 = (u >>> 28);
          x = pairs[a0 + k + 1]; c00 += x * w0; c01 += x * w1; c02 += x * w2; c03 += x * w3;
          x = pairs[a1 + k + 1]; c10 += x * w0; c11 += x * w1; c12 += x * w2; c13 += x * w3;
          x = pairs[a2 + k + 1]; c20 += x * w0; c21 += x * w1; c22 += x * w2; c23 += x * w3;
        }
        const si = n0 * blocks + g, s0 = scales[si], s1 = scales[si + blocks], s2 = scales[si + 2 * blocks], s3 = scales[si + 3 * blocks];
        let q = 8 * gs[g];
        split(acc, 0, c00 - q, s0); split(acc, 1, c01 - q, s1); split(acc, 2, c02 - q, s2); split(acc, 3, c03 - q, s3);
        q = np > 1 ? 8 * gs[blocks + g] : q;
        split(acc, 8, c10 - q, s0); split(acc, 9, c11 - q, s1); split(acc, 10, c12 - q, s2); split(acc, 11, c13 - q, s3);
        q = np > 2 ? 8 * gs[2 * blocks + g] : q;
        split(acc, 16, c20 - q, s0); split(acc, 17, c21 - q, s1); split(acc, 18, c22 - q, s2); split(acc, 19, c23 - q, s3);
      }
      const cols = Math.min(4, N - n0);
      for (let i = 0; i < np; i++) {
        for (let t = 0; t < cols; t++) {
          if (full < blocks) {
            const si = (n0 + t) * blocks + full;
            split(acc, 8 * i + t, partialDot(pairs, (p + i) * K, panel, wb, t, full * G, K) - 8 * gs[i * blocks + full], scales[si]);
          }
          const b = bias ? bias[n0 + t] : 0;
          for (let l = 0; l < 2; l++) {
            const r = 2 * (p + i) + l;
            if (r < M) y[yOff + r * rsY + (n0 + t) * csY] = acc[8 * i + 4 * l + t] * rowScale[r] + b;
          }
        }
      }
    }
  }
}
