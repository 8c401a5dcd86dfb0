/**
 * GEMM paths that need no workspace: few rows of A (a GEMV-like product, where packing B would
 * cost more than the multiply: B is read exactly once either way), and the strided 4x4 loop
 * the packed path falls back to when the caller gives no workspace.
 */

/** C (+)= A B for small M, streaming B once; contiguous rows or columns of B take unrolled loops. */
export function sgemmRows(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    const ar = aOff + i * rsA, cr = cOff + i * ldc;
    if (csB === 1) {
      // c_row += a[i, k..k+3] . B[k..k+3, :], four rows of B per pass over c_row.
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const x0 = a[ar + k * csA], x1 = a[ar + (k + 1) * csA], x2 = a[ar + (k + 2) * csA], x3 = a[ar + (k + 3) * csA];
        const b0 = bOff + k * rsB, b1 = b0 + rsB, b2 = b1 + rsB, b3 = b2 + rsB;
        for (let j = 0; j < N; j++) c[cr + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
      }
      for (; k < K; k++) {
        const x = a[ar + k * csA], br = bOff + k * rsB;
        for (let j = 0; j < N; j++) c[cr + j] += x * b[br + j];
      }
    } else {
      // B's columns are contiguous when rsB === 1 (a transposed weight): dot products.
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const p0 = bOff + j * csB, p1 = p0 + csB, p2 = p1 + csB, p3 = p2 + csB;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0, q = 0, x = ar; k < K; k++, q += rsB, x += csA) {
          const v = a[x];
          s0 += v * b[p0 + q]; s1 += v * b[p1 + q]; s2 += v * b[p2 + q]; s3 += v * b[p3 + q];
        }
        c[cr + j] += s0; c[cr + j + 1] += s1; c[cr + j + 2] += s2; c[cr + j + 3] += s3;
      }
      for (; j < N; j++) {
        let s = 0;
        for (let k = 0, p = bOff + j * csB, x = ar; k < K; k++, p += rsB, x += csA) s += a[x] * b[p];
        c[cr + j] += s;
      }
    }
  }
}

/** C += A B, cache-blocked over K and register-tiled 4x4 straight from the strided operands. */
export function sgemmStrided(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
): void {
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
    // Edges: rows past M4 (all columns) and columns past N4 (rows above M4).
    if (M4 < M) sgemmRows(M - M4, N, k1 - k0, a, aOff + M4 * rsA + k0 * csA, rsA, csA, b, bOff + k0 * rsB, rsB, csB, c, cOff + M4 * ldc, ldc);
    if (N4 < N && M4 > 0) sgemmRows(M4, N - N4, k1 - k0, a, aOff + k0 * csA, rsA, csA, b, bOff + k0 * rsB + N4 * csB, rsB, csB, c, cOff + N4, ldc);
  }
}
