import { LANE } from './q-gemm-i8.js';

/**
 * INT4 GEMM cores, reading the packed weights as they are stored (src/quant/formats/int4.ts):
 * row n of the weight is wordsPerRow = blocks * G / 8 little-endian u32 words, eight nibbles
 * u = q + 8 each, element k in bits 4 * (k & 7) of word k >> 3; one float scale per group.
 * Nibbles are unpacked on the fly, and the "- 8" is taken out of the inner loop:
 * sum_k a_k (u_k - 8) = sum_k a_k u_k - 8 * sum_k a_k, with the group sums of a computed once
 * per row tile. Full groups run an unrolled word loop; a last group cut short by K (padded in
 * storage) runs element by element. Outputs as in q-gemm-i8.ts: y[yOff + r * rsY + n * csY].
 */

/** Sum of a[r, k] over each group g (k < K) for `rows` rows starting at row r0, into gs[i * blocks + g]. */
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

/** sum over k in [k0, k1) of a[a0 + k] * u[n, k] (u unshifted), element by element. */
function partialDot(a: Float32Array | Float64Array, a0: number, w: Uint32Array, wb: number, k0: number, k1: number): number {
  let c = 0;
  for (let k = k0; k < k1; k++) c += a[a0 + k] * ((w[wb + (k >> 3)] >>> ((k & 7) << 2)) & 15);
  return c;
}

/**
 * Float activations x int4 weights: y = sum_g scale[n, g] * sum_{k in g} a[r, k] * (u[n, k] - z[n, g])
 * (+ bias[n]), z = 8 (the format's offset) unless `zeros` gives one per group (MatMulNBits zero
 * points). Tiles of 4 rows x 2 channels; `acc` is 8 doubles, `gs` 4 * blocks doubles.
 */
export function gemmF32I4(
  M: number, K: number, a: Float32Array, aOff: number, lda: number, w: Uint32Array, G: number, blocks: number, n0: number, n1: number,
  scales: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array, gs: Float64Array,
  zeros?: Float32Array,
): void {
  const wpr = (blocks * G) >> 3, full = Math.floor(K / G), wpg = G >> 3, M4 = M - (M % 4), n2 = n1 - ((n1 - n0) % 2);
  for (let r = 0; r < M4; r += 4) {
    groupSums(a, aOff, lda, r, 4, K, G, blocks, gs);
    const a0 = aOff + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    for (let n = n0; n < n2; n += 2) {
      const wb0 = n * wpr, wb1 = wb0 + wpr, sb0 = n * blocks, sb1 = sb0 + blocks;
      acc.fill(0);
      for (let g = 0; g < full; g++) {
        let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
        for (let wi = g * wpg, we = wi + wpg, k = g * G; wi < we; wi++) {
          let u0 = w[wb0 + wi], u1 = w[wb1 + wi];
          for (const ke = k + 8; k < ke; k++) {
            const y0 = u0 & 15, y1 = u1 & 15;
            u0 >>>= 4; u1 >>>= 4;
            let x = a[a0 + k]; c00 += x * y0; c01 += x * y1;
            x = a[a1 + k]; c10 += x * y0; c11 += x * y1;
            x = a[a2 + k]; c20 += x * y0; c21 += x * y1;
            x = a[a3 + k]; c30 += x * y0; c31 += x * y1;
          }
        }
        const s0 = scales[sb0 + g], s1 = scales[sb1 + g], z0 = zeros ? zeros[sb0 + g] : 8, z1 = zeros ? zeros[sb1 + g] : 8;
        acc[0] += (c00 - z0 * gs[g]) * s0; acc[1] += (c01 - z1 * gs[g]) * s1;
        acc[2] += (c10 - z0 * gs[blocks + g]) * s0; acc[3] += (c11 - z1 * gs[blocks + g]) * s1;
        acc[4] += (c20 - z0 * gs[2 * blocks + g]) * s0; acc[5] += (c21 - z1 * gs[2 * blocks + g]) * s1;
        acc[6] += (c30 - z0 * gs[3 * blocks + g]) * s0; acc[7] += (c31 - z1 * gs[3 * blocks + g]) * s1;
      }
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 2; j++) {
          const c = n + j, ar = aOff + (r + i) * lda;
          let v = acc[2 * i + j];
          if (full < blocks) v += (partialDot(a, ar, w, c * wpr, full * G, K) - (zeros ? zeros[c * blocks + full] : 8) * gs[i * blocks + full]) * scales[c * blocks + full];
          y[yOff + (r + i) * rsY + c * csY] = v + (bias ? bias[c] : 0);
        }
      }
    }
    for (let i = 0; i < 4; i++) for (let n = n2; n < n1; n++) dotF32I4(r + i, i, n, K, a, aOff, lda, w, G, blocks, scales, bias, y, yOff, rsY, csY, gs, zeros);
  }
  for (let r = M4; r < M; r++) {
    groupSums(a, aOff, lda, r, 1, K, G, blocks, gs);
    for (let n = n0; n < n1; n++) dotF32I4(r, 0, n, K, a, aOff, lda, w, G, blocks, scales, bias, y, yOff, rsY, csY, gs, zeros);
  }
}

/** One output of gemmF32I4, element by element (edges); row r's group sums are at gs[i * blocks]. */
function dotF32I4(
  r: number, i: number, n: number, K: number, a: Float32Array, aOff: number, lda: number, w: Uint32Array, G: number, blocks: number,
  scales: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number, gs: Float64Array,
  zeros: Float32Array | undefined,
): void {
  const ar = aOff + r * lda, wb = n * ((blocks * G) >> 3);
  let v = 0;
  for (let g = 0; g < blocks; g++) {
    const z = zeros ? zeros[n * blocks + g] : 8;
    v += (partialDot(a, ar, w, wb, g * G, Math.min(K, g * G + G)) - z * gs[i * blocks + g]) * scales[n * blocks + g];
  }
  y[yOff + r * rsY + n * csY] = v + (bias ? bias[n] : 0);
}

/**
 * int8 activation row pairs (see quantizeRowPairs) x int4 weights: per group an exact SWAR
 * integer sum (|sum| <= 128 * 127 * 15 < 2^26), split into its two rows and scaled by the group
 * scale; y = rowScale[r] * sum_g scale[n, g] * isum_g (+ bias[n]). Tiles of 4 pairs (8 rows) x
 * 2 channels; `acc` is 16 doubles, `gs` 4 * blocks doubles.
 */
export function gemmI8I4(
  M: number, K: number, pairs: Float64Array, w: Uint32Array, G: number, blocks: number, n0: number, n1: number,
  rowScale: Float32Array, scales: Float32Array, bias: Float32Array | undefined,
  y: Float32Array, yOff: number, rsY: number, csY: number, acc: Float64Array, gs: Float64Array,
): void {
  const wpr = (blocks * G) >> 3, full = Math.floor(K / G), wpg = G >> 3, P = (M + 1) >> 1, P4 = P - (P % 4), n2 = n1 - ((n1 - n0) % 2);
  for (let p = 0; p < P4; p += 4) {
    groupSums(pairs, 0, K, p, 4, K, G, blocks, gs);
    const a0 = p * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    for (let n = n0; n < n2; n += 2) {
      const wb0 = n * wpr, wb1 = wb0 + wpr, sb0 = n * blocks, sb1 = sb0 + blocks;
      acc.fill(0);
      for (let g = 0; g < full; g++) {
        let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
        for (let wi = g * wpg, we = wi + wpg, k = g * G; wi < we; wi++) {
          let u0 = w[wb0 + wi], u1 = w[wb1 + wi];
          for (const ke = k + 8; k < ke; k++) {
            const y0 = u0 & 15, y1 = u1 & 15;
            u0 >>>= 4; u1 >>>= 4;
            let x = pairs[a0 + k]; c00 += x * y0; c01 += x * y1;
            x = pairs[a1 + k]; c10 += x * y0; c11 += x * y1;
            x = pairs[a2 + k]; c20 += x * y0; c21 += x * y1;
            x = pairs[a3 + k]; c30 += x * y0; c31 += x * y1;
          }
        }
        const s0 = scales[sb0 + g], s1 = scales[sb1 + g];
        split(acc, 0, c00 - 8 * gs[g], s0); split(acc, 1, c01 - 8 * gs[g], s1);
        split(acc, 4, c10 - 8 * gs[blocks + g], s0); split(acc, 5, c11 - 8 * gs[blocks + g], s1);
        split(acc, 8, c20 - 8 * gs[2 * blocks + g], s0); split(acc, 9, c21 - 8 * gs[2 * blocks + g], s1);
        split(acc, 12, c30 - 8 * gs[3 * blocks + g], s0); split(acc, 13, c31 - 8 * gs[3 * blocks + g], s1);
      }
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 2; j++) {
          const c = n + j;
          if (full < blocks) split(acc, 4 * i + j, partialDot(pairs, (p + i) * K, w, c * wpr, full * G, K) - 8 * gs[i * blocks + full], scales[c * blocks + full]);
          storePair(acc[4 * i + j], acc[4 * i + j + 2], 2 * (p + i), c, M, rowScale, bias, y, yOff, rsY, csY);
        }
      }
    }
    for (let i = 0; i < 4; i++) for (let n = n2; n < n1; n++) dotI8I4(p + i, i, n, K, pairs, w, G, blocks, M, rowScale, scales, bias, y, yOff, rsY, csY, gs);
  }
  for (let p = P4; p < P; p++) {
    groupSums(pairs, 0, K, p, 1, K, G, blocks, gs);
    for (let n = n0; n < n1; n++) dotI8I4(p, 0, n, K, pairs, w, G, blocks, M, rowScale, scales, bias, y, yOff, rsY, csY, gs);
  }
}

/** acc[at] += low lane * s, acc[at + 2] += high lane * s. */
function split(acc: Float64Array, at: number, v: number, s: number): void {
  const h = Math.round(v / LANE);
  acc[at] += (v - h * LANE) * s;
  acc[at + 2] += h * s;
}

function storePair(lo: number, hi: number, r: number, n: number, M: number, rowScale: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number): void {
  const b = bias ? bias[n] : 0;
  y[yOff + r * rsY + n * csY] = lo * rowScale[r] + b;
  if (r + 1 < M) y[yOff + (r + 1) * rsY + n * csY] = hi * rowScale[r + 1] + b;
}

function dotI8I4(
  p: number, i: number, n: number, K: number, pairs: Float64Array, w: Uint32Array, G: number, blocks: number, M: number,
  rowScale: Float32Array, scales: Float32Array, bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number, gs: Float64Array,
): void {
  const wb = n * ((blocks * G) >> 3);
  let lo = 0, hi = 0;
  for (let g = 0; g < blocks; g++) {
    const v = partialDot(pairs, p * K, w, wb, g * G, Math.min(K, g * G + G)) - 8 * gs[i * blocks + g], h = Math.round(v / LANE), s = scales[n * blocks + g];
    lo += (v - h * LANE) * s;
    hi += h * s;
  }
  storePair(lo, hi, 2 * p, n, M, rowScale, bias, y, yOff, rsY, csY);
}
