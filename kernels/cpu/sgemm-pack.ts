import { MR, NR } from './sgemm-micro.js';

/**
 * Packing for the GEMM: copies a block of a strided operand into the order the register tile
 * reads it, zero-padded to whole tiles so the tile never branches on edges.
 */

/** B[k0.., j0..] (kc x nc) into panels of NR columns, each kc rows of NR values; at w[off..]. */
export function packB(
  b: Float32Array, bOff: number, rsB: number, csB: number,
  k0: number, kc: number, j0: number, nc: number, w: Float32Array, off: number,
): void {
  let o = off;
  for (let j = 0; j < nc; j += NR) {
    const nr = Math.min(NR, nc - j), col = bOff + (j0 + j) * csB;
    if (nr === NR && csB === 1) {
      for (let k = 0, p = col + k0 * rsB; k < kc; k++, p += rsB, o += NR) {
        w[o] = b[p]; w[o + 1] = b[p + 1]; w[o + 2] = b[p + 2];
      }
    } else {
      for (let k = 0, p = col + k0 * rsB; k < kc; k++, p += rsB, o += NR) {
        for (let t = 0; t < NR; t++) w[o + t] = t < nr ? b[p + t * csB] : 0;
      }
    }
  }
}

/** A[i0.., k0..] (mc x kc) into strips of MR rows, each kc columns of MR values; at w[off..]. */
export function packA(
  a: Float32Array, aOff: number, rsA: number, csA: number,
  i0: number, mc: number, k0: number, kc: number, w: Float32Array, off: number,
): void {
  let o = off;
  for (let i = 0; i < mc; i += MR) {
    const mr = Math.min(MR, mc - i), row = aOff + (i0 + i) * rsA + k0 * csA;
    if (mr === MR) {
      const r1 = row + rsA, r2 = r1 + rsA, r3 = r2 + rsA;
      for (let k = 0, q = 0; k < kc; k++, q += csA, o += MR) {
        w[o] = a[row + q]; w[o + 1] = a[r1 + q]; w[o + 2] = a[r2 + q]; w[o + 3] = a[r3 + q];
      }
    } else {
      for (let k = 0, q = 0; k < kc; k++, q += csA, o += MR) {
        for (let t = 0; t < MR; t++) w[o + t] = t < mr ? a[row + t * rsA + q] : 0;
      }
    }
  }
}
