import { MR, NR, micro4x3 } from './sgemm-micro.js';
import { packA, packB } from './sgemm-pack.js';
import { sgemmRows, sgemmStrided } from './sgemm-rows.js';

/**
 * Blocking of the packed path (Goto/BLIS loop order: NC columns of B, KC deep, MC rows of A).
 * A KC x NC panel of B (768 KiB) stays in L2 while MC x KC of A (128 KiB) is swept over it; a
 * 4 x KC strip of A and a KC x 3 panel of B (7 KiB) sit in L1 for the register tile. KC, MC and
 * NC moved the 512^3 and 128x768x3072 figures by under the run-to-run noise (±5%) between
 * 128..512, 48..240 and 768..3072, so the sizes are set for a modest workspace.
 */
const KC = 256;
const MC = 128;
const NC = 768;
/** Below this many rows the product is GEMV-like: B is read once anyway, so it is not packed. */
const SMALL_M = MR;
/** From this many rows on, B is packed (below, its rows are read in place; measured at 8..64 rows). */
const PACK_B_MIN_M = 48;

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Floats of workspace `sgemm` needs for the packed path at this size (0: it packs nothing). */
export function sgemmWorkspaceFloats(M: number, N: number, K: number): number {
  if (M < SMALL_M || N === 0 || K === 0) return 0;
  const kc = Math.min(K, KC);
  return kc * roundUp(Math.min(N, NC), NR) + roundUp(Math.min(M, MC), MR) * kc + MR * NR;
}

/**
 * Single-precision GEMM over strided row-major views: C[i, j] (+)= sum_k A[i, k] * B[k, j],
 * where A[i, k] = a[aOff + i * rsA + k * csA] and B[k, j] = b[bOff + k * rsB + j * csB], so a
 * transposed operand is just swapped strides. C is dense with leading dimension ldc.
 *
 * With a workspace of `sgemmWorkspaceFloats(M, N, K)` floats at ws[wsOff..] it packs B panels
 * and A strips and runs a 4x3 register tile over them (the fast path); without one (or with
 * one too small) it runs a strided 4x4 loop: same results to rounding, ~25% slower. Few-row products never pack. Accumulation is in
 * float64 registers, rounded once per KC block.
 */
export function sgemm(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
  accumulate: boolean,
  ws?: Float32Array, wsOff = 0,
): void {
  if (M === 0 || N === 0) return;
  const need = sgemmWorkspaceFloats(M, N, K);
  if (need === 0 || ws === undefined || ws.length - wsOff < need) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    if (K === 0) return;
    if (M < SMALL_M) sgemmRows(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
    else sgemmStrided(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
    return;
  }
  const kcMax = Math.min(K, KC);
  const aPack = wsOff + kcMax * roundUp(Math.min(N, NC), NR), edge = aPack + roundUp(Math.min(M, MC), MR) * kcMax;
  // Few rows reuse each B element only a few times: reading B's rows in place beats packing it.
  const packAllB = M >= PACK_B_MIN_M || csB !== 1;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0), add = accumulate || k0 > 0;
      if (packAllB) packB(b, bOff, rsB, csB, k0, kc, j0, nc, ws, wsOff);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = Math.min(MC, M - i0);
        packA(a, aOff, rsA, csA, i0, mc, k0, kc, ws, aPack);
        for (let j = 0; j < nc; j += NR) {
          const nr = Math.min(NR, nc - j);
          let bArr = ws, bp = wsOff + j * kc, bs = NR;
          if (!packAllB && nr === NR) { bArr = b; bp = bOff + k0 * rsB + j0 + j; bs = rsB; }
          else if (!packAllB) { packB(b, bOff, rsB, csB, k0, kc, j0 + j, nr, ws, wsOff); bp = wsOff; }
          for (let i = 0; i < mc; i += MR) {
            const mr = Math.min(MR, mc - i), ap = aPack + i * kc, co = cOff + (i0 + i) * ldc + j0 + j;
            if (mr === MR && nr === NR) micro4x3(kc, ws, ap, bArr, bp, bs, c, co, ldc, add);
            else {
              micro4x3(kc, ws, ap, bArr, bp, bs, ws, edge, NR, false);
              storeEdge(ws, edge, mr, nr, c, co, ldc, add);
            }
          }
        }
      }
    }
  }
}

/** The valid mr x nr corner of an edge tile computed into the workspace. */
function storeEdge(t: Float32Array, tOff: number, mr: number, nr: number, c: Float32Array, cOff: number, ldc: number, add: boolean): void {
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const v = t[tOff + i * NR + j], o = cOff + i * ldc + j;
      c[o] = add ? c[o] + v : v;
    }
  }
}
