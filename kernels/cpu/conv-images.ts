import { im2col, type ConvPlan } from './conv.js';
import type { GemmEpilogue } from './gemm-epilogue.js';
import { WINDOW_INTS, windowFromInts, windowInts } from './depthwise.js';
import type { SimdGemm } from './sgemm-simd.js';

/**
 * An im2col conv over whole images of a batch, on one thread's WebAssembly SIMD engine: the
 * 'convImages' split job (jobs.ts), so each thread takes its own images with its own patch tile.
 * The plan travels as ints (convImagesInts) and floats (the clamp).
 */
export interface ConvImagesPlan extends Pick<ConvPlan, 'win' | 'C' | 'M' | 'group' | 'Cg' | 'Mg' | 'K' | 'P' | 'tileP'> {
  epi: GemmEpilogue;
  /** Every thread's engine keeps W packed (group 1, and the caller's engine would). */
  keep: boolean;
}

export function convImagesInts(p: ConvPlan, keep: boolean): { ints: number[]; floats: number[] } {
  return { ints: [...windowInts(p.win), p.C, p.M, p.group, p.Cg, p.Mg, p.tileP, p.gemmEpi.act, keep ? 1 : 0], floats: [p.gemmEpi.lo, p.gemmEpi.hi] };
}

export function convImagesFromInts(ints: ArrayLike<number>, floats: ArrayLike<number>): ConvImagesPlan {
  const win = windowFromInts(ints), n = WINDOW_INTS, Cg = ints[n + 3];
  return {
    win, C: ints[n], M: ints[n + 1], group: ints[n + 2], Cg, Mg: ints[n + 4], tileP: ints[n + 5],
    K: Cg * win.KH * win.KW, P: win.OH * win.OW,
    epi: { biasPerRow: true, act: ints[n + 6], lo: floats[0], hi: floats[1] }, keep: ints[n + 7] === 1,
  };
}

/** Floats of patch tile one thread needs. */
export const convImagesTileFloats = (p: Pick<ConvPlan, 'K' | 'tileP'>): number => p.K * p.tileP;

/**
 * Images n0..n1: each group's patch tiles (im2col into `col`) times its weights, bias and
 * activation applied in the engine's stores, as runConv does image by image.
 */
export function convImagesSimd(simd: SimdGemm, x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array, p: ConvImagesPlan, n0: number, n1: number, col: Float32Array): void {
  const { C, M, group, Cg, Mg, K, P, tileP } = p, HW = p.win.H * p.win.W;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < group; g++) {
      const xOff = (n * C + g * Cg) * HW, yOff = (n * M + g * Mg) * P, wOff = g * Mg * K;
      for (let p0 = 0; p0 < P; p0 += tileP) {
        const pt = Math.min(P, p0 + tileP) - p0;
        im2col(x, xOff, Cg, p.win, col, p0, p0 + pt);
        if (!simd.sgemm(Mg, pt, K, w, wOff, K, 1, col, 0, pt, 1, y, yOff + p0, P, false, p.epi, b, g * Mg, p.keep, false)) {
          throw new Error('convImagesSimd: a conv with K = 0 has no product to run');
        }
      }
    }
  }
}
