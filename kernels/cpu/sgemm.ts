import { MR, NR, micro4x3, micro4x3Final, micro4x3Set } from './sgemm-micro.js';
import { roundUp } from '../index-math.js';
import { activateRow, epilogueBlock, NO_BIAS, type GemmEpilogue } from './gemm-epilogue.js';
import { clamp, NO_HI, NO_LO } from './clamp.js';
import type { ParallelGemm } from './parallel.js';
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
 * one too small) it runs a strided 4x4 loop: same results to rounding, ~25% slower. Few-row
 * products never pack. Accumulation is in float64 registers, rounded once per KC block.
 *
 * `epi` (with `bias` read from bias[biasOff..]) is applied to the finished C: in the last K
 * block's tile stores on the packed path, so bias + clamp cost no pass over memory.
 * `par`, when given, may split the product across threads (it returns false when it does not).
 */
export function sgemm(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
  accumulate: boolean,
  ws?: Float32Array, wsOff = 0,
  epi?: GemmEpilogue, bias?: Float32Array, biasOff = 0,
  par?: ParallelGemm,
): void {
  if (M === 0 || N === 0) return;
  if (par && par.sgemm(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, ws, wsOff, epi, bias, biasOff)) return;
  const need = sgemmWorkspaceFloats(M, N, K);
  if (need === 0 || ws === undefined || ws.length - wsOff < need) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    if (K > 0 && M < SMALL_M) sgemmRows(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
    else if (K > 0) sgemmStrided(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc);
    if (epi) epilogueBlock(c, cOff, M, N, ldc, epi, bias, biasOff, 0, 0);
    return;
  }
  packed(M, N, K, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, accumulate, ws, wsOff, epi, bias, biasOff);
}

function packed(
  M: number, N: number, K: number,
  a: Float32Array, aOff: number, rsA: number, csA: number,
  b: Float32Array, bOff: number, rsB: number, csB: number,
  c: Float32Array, cOff: number, ldc: number,
  accumulate: boolean, ws: Float32Array, wsOff: number,
  epi: GemmEpilogue | undefined, bias: Float32Array | undefined, biasOff: number,
): void {
  const kcMax = Math.min(K, KC);
  const aPack = wsOff + kcMax * roundUp(Math.min(N, NC), NR), edge = aPack + roundUp(Math.min(M, MC), MR) * kcMax;
  // Few rows reuse each B element only a few times: reading B's rows in place beats packing it.
  const packAllB = M >= PACK_B_MIN_M || csB !== 1;
  // The epilogue as the tile stores take it: bias by row or column (stride 0 reads zeros).
  const perRow = !!bias && !!epi && epi.biasPerRow, perCol = !!bias && !!epi && !epi.biasPerRow;
  const rb = perRow ? bias! : NO_BIAS, rbs = perRow ? 1 : 0, rb0 = perRow ? biasOff : 0;
  const cb = perCol ? bias! : NO_BIAS, cbs = perCol ? 1 : 0, cb0 = perCol ? biasOff : 0;
  const lo = epi ? epi.lo : NO_LO, hi = epi ? epi.hi : NO_HI, act = epi ? epi.act : 0;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0), first = k0 === 0 && !accumulate, last = k0 + kc >= K;
      if (packAllB) packB(b, bOff, rsB, csB, k0, kc, j0, nc, ws, wsOff);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = Math.min(MC, M - i0);
        packA(a, aOff, rsA, csA, i0, mc, k0, kc, ws, aPack);
        for (let j = 0; j < nc; j += NR) {
          const nr = Math.min(NR, nc - j), cbo = cb0 + (j0 + j) * cbs;
          let bArr = ws, bp = wsOff + j * kc, bs = NR;
          if (!packAllB && nr === NR) { bArr = b; bp = bOff + k0 * rsB + j0 + j; bs = rsB; }
          else if (!packAllB) { packB(b, bOff, rsB, csB, k0, kc, j0 + j, nr, ws, wsOff); bp = wsOff; }
          for (let i = 0; i < mc; i += MR) {
            const mr = Math.min(MR, mc - i), ap = aPack + i * kc, co = cOff + (i0 + i) * ldc + j0 + j, rbo = rb0 + (i0 + i) * rbs;
            if (mr === MR && nr === NR) {
              if (first && last) micro4x3Set(kc, ws, ap, bArr, bp, bs, c, co, ldc, rb, rbo, rbs, cb, cbo, cbs, lo, hi);
              else if (first) micro4x3Set(kc, ws, ap, bArr, bp, bs, c, co, ldc, NO_BIAS, 0, 0, NO_BIAS, 0, 0, NO_LO, NO_HI);
              else if (last) micro4x3Final(kc, ws, ap, bArr, bp, bs, c, co, ldc, rb, rbo, rbs, cb, cbo, cbs, lo, hi);
              else micro4x3(kc, ws, ap, bArr, bp, bs, c, co, ldc);
            } else {
              micro4x3Set(kc, ws, ap, bArr, bp, bs, ws, edge, NR, NO_BIAS, 0, 0, NO_BIAS, 0, 0, NO_LO, NO_HI);
              storeEdge(ws, edge, mr, nr, c, co, ldc, first, last, rb, rbo, rbs, cb, cbo, cbs, lo, hi);
            }
          }
        }
        // A transcendental activation runs on the finished block while it is in cache.
        if (last && act !== 0) for (let i = 0; i < mc; i++) activateRow(c, cOff + (i0 + i) * ldc + j0, nc, act);
      }
    }
  }
}

/** The valid mr x nr corner of an edge tile computed in the workspace, stored like the full tiles. */
function storeEdge(
  t: Float32Array, tOff: number, mr: number, nr: number, c: Float32Array, cOff: number, ldc: number, first: boolean, last: boolean,
  rb: Float32Array, rbOff: number, rbs: number, cb: Float32Array, cbOff: number, cbs: number, lo: number, hi: number,
): void {
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const o = cOff + i * ldc + j;
      let v = (first ? 0 : c[o]) + t[tOff + i * NR + j];
      if (last) v = clamp(v + rb[rbOff + i * rbs] + cb[cbOff + j * cbs], lo, hi);
      c[o] = v;
    }
  }
}
