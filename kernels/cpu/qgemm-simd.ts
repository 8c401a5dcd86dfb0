import type { SimdGemm } from './sgemm-simd.js';
import { roundUp } from '../index-math.js';
import type { Int8View } from './q-weights.js';
import { absMax, RNE } from './q-gemm-i8.js';
import { allocLike } from './shared-alloc.js';

/**
 * The WebAssembly SIMD int8 x int8 GEMM (QMatMul with int8 weights and int8-dynamic inputs):
 * y = (sum_k qa[r, k] q[n, k]) * rowScale[r] * colScale[n] + bias[n]. Rows of A are quantized
 * here exactly as quantizeRowPairs (q-gemm-i8.ts) does (symmetric per row, round half to even),
 * so the integer sums equal the JavaScript core's; the scaling is float32 (the JavaScript core
 * scales in float64). The module's tile is 2 rows x 4 channels of i32x4.dot_i16x8_s: 61 GOP/s
 * on one core at 128x768x3072 against ~45 GFLOP/s for the float32 tile.
 */

/** Weights laid out for the module once per plan: int8 rows kpad bytes apart, channels padded to 4 with zeros. */
export interface Q8Weights {
  /** The int8 bytes, viewed as i32 words (how the engine keeps integer arrays). */
  words: Int32Array;
  kpad: number;
  chans: number;
  /** Per-channel scales, padded to `chans`. */
  scales: Float32Array;
}

export function q8Weights(v: Int8View): Q8Weights {
  const kpad = roundUp(Math.max(v.depth, 1), 8), chans = roundUp(Math.max(v.rows, 1), 4);
  // In shared memory when the weight is (a session with threads): each thread's engine copies it in.
  const bytes = allocLike(Int8Array, chans * kpad, v.quants);
  for (let n = 0; n < v.rows; n++) bytes.set(v.quants.subarray(n * v.stride, n * v.stride + v.depth), n * kpad);
  const scales = allocLike(Float32Array, chans, v.scales);
  scales.set(v.scales.subarray(0, v.rows));
  return { words: new Int32Array(bytes.buffer), kpad, chans, scales };
}

/** act-free QMatMul core over rows [0, M) of A (a[aOff + r * lda + k]); y[yOff + r * rsY + n * csY]. */
export function q8GemmSimd(
  simd: SimdGemm, M: number, K: number, N: number, a: Float32Array, aOff: number, lda: number, w: Q8Weights,
  bias: Float32Array | undefined, y: Float32Array, yOff: number, rsY: number, csY: number,
): void {
  const { kpad, chans } = w, rows = roundUp(M, 2);
  const [wAt, scAt] = simd.keptConstants([w.words, w.scales]);
  // Workspace (floats): A as int8 rows | row scales | bias | C rows x chans.
  const aFloats = (rows * kpad) / 4, rsAt = aFloats, biasAt = rsAt + rows, cAt = biasAt + chans;
  const ws = simd.scratch(cAt + rows * chans);
  const f = simd.floats(), q = simd.int8(), aByte = ws * 4;
  q.fill(0, aByte, aByte + rows * kpad);
  for (let r = 0; r < M; r++) {
    const o = aOff + r * lda, at = aByte + r * kpad;
    const s = Math.fround(absMax(a, o, K) / 127), inv = s === 0 ? 0 : 1 / s;
    f[ws + rsAt + r] = s;
    for (let k = 0; k < K; k++) q[at + k] = (a[o + k] * inv + RNE) - RNE;
  }
  if (rows > M) f[ws + rsAt + M] = 0;
  if (bias) { f.set(bias.subarray(0, N), ws + biasAt); f.fill(0, ws + biasAt + N, ws + biasAt + chans); }
  simd.q8gemm(aByte, kpad, wAt * 4, kpad, kpad, rows, chans, ws + cAt, chans, ws + rsAt, scAt, bias ? ws + biasAt : -1);
  for (let r = 0; r < M; r++) {
    const from = ws + cAt + r * chans, to = yOff + r * rsY;
    if (csY === 1) y.set(f.subarray(from, from + N), to);
    else for (let n = 0; n < N; n++) y[to + n * csY] = f[from + n];
  }
}
