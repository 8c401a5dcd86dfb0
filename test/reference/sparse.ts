import { activationRef, type RefActivation } from './gemm.js';

/**
 * Float64 references for the sparse formats and kernels, written from the definitions: a
 * sparse weight means its dense equivalent, so every sparse product is checked against the
 * dense formula on the dequantized weight (the reference never reads CSR/BSR arrays).
 */

/** Dense W as a rows x depth matrix: W[c, k] at w[c * depth + k] (axis 0) or w[k * rows + c] (axis 1). */
export function matrixAt(w: ArrayLike<number>, axis: 0 | 1, rows: number, depth: number): (c: number, k: number) => number {
  return axis === 0 ? (c, k) => w[c * depth + k] : (c, k) => w[k * rows + c];
}

/** Y[m, n] = act(sum_k A[m, k] W[k, n] + bias[n]); A is [M, K], W dense [K, N]. */
export function sparseMatMulRef(a: ArrayLike<number>, M: number, K: number, w: ArrayLike<number>, N: number,
  bias: ArrayLike<number> | undefined, act?: RefActivation): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s += a[m * K + k] * w[k * N + n];
      out[m * N + n] = activationRef(s, act);
    }
  }
  return out;
}

/** Pointwise conv, NCHW: Y[n, m, p] = act(b[m] + sum_c W[m, c] X[n, c, p]); W dense [M, C]. */
export function sparseConvRef(x: ArrayLike<number>, N: number, C: number, P: number, w: ArrayLike<number>, M: number,
  bias: ArrayLike<number> | undefined, act?: RefActivation): Float64Array {
  const out = new Float64Array(N * M * P);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      for (let p = 0; p < P; p++) {
        let s = bias ? bias[m] : 0;
        for (let c = 0; c < C; c++) s += w[m * C + c] * x[(n * C + c) * P + p];
        out[(n * M + m) * P + p] = activationRef(s, act);
      }
    }
  }
  return out;
}

/** Fraction of exact zeros. */
export function zeroFraction(w: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
  return w.length ? z / w.length : 0;
}
