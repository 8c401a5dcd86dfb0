/**
 * Single-precision GEMM over strided row-major views: C[i, j] (+)= sum_k A[i, k] * B[k, j],
 * where A[i, k] = a[aOff + i * rsA + k * csA] and B[k, j] = b[bOff + k * rsB + j * csB], so a
 * transposed operand is just swapped strides. C is dense with leading dimension ldc.
 *
 * Cache-blocked over K and register-tiled 4x4 (16 accumulators); edges fall back to a scalar
 * loop. The performance issue replaces this with packed panels; its semantics stay.
 */
export function sgemm(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  if (K === 0) return;
  const KC = 256;
  const M4 = M - (M % 4), N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    for (let i = 0; i < M4; i += 4) {
      const a0 = aOff + i * rsA, a1 = a0 + rsA, a2 = a1 + rsA, a3 = a2 + rsA;
      for (let j = 0; j < N4; j += 4) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let bp = bOff + k0 * rsB + j * csB;
        for (let k = k0; k < k1; k++, bp += rsB) {
          const ka = k * csA;
          const x0 = a[a0 + ka], x1 = a[a1 + ka], x2 = a[a2 + ka], x3 = a[a3 + ka];
          const y0 = b[bp], y1 = b[bp + csB], y2 = b[bp + 2 * csB], y3 = b[bp + 3 * csB];
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        let cp = cOff + i * ldc + j;
        c[cp] += c00; c[cp + 1] += c01; c[cp + 2] += c02; c[cp + 3] += c03; cp += ldc;
        c[cp] += c10; c[cp + 1] += c11; c[cp + 2] += c12; c[cp + 3] += c13; cp += ldc;
        c[cp] += c20; c[cp + 1] += c21; c[cp + 2] += c22; c[cp + 3] += c23; cp += ldc;
        c[cp] += c30; c[cp + 1] += c31; c[cp + 2] += c32; c[cp + 3] += c33;
      }
    }
    // Edges: rows past M4 (all columns) and columns past N4 (rows below M4).
    edge(M4, M, 0, N, k0, k1, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
    edge(0, M4, N4, N, k0, k1, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
  }
}

function edge(
  i0: number, i1: number, j0: number, j1: number, k0: number, k1: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let k = k0; k < k1; k++) s += a[aOff + i * rsA + k * csA] * b[bOff + k * rsB + j * csB];
      c[cOff + i * ldc + j] += s;
    }
  }
}
