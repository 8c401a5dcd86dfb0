import type { TransposeAttrs } from '../../src/ops/transpose.js';
import { cpuKernel } from '../types.js';
import { copyInput, copyRun } from './identity.js';

/**
 * Output dims with the input stride each one walks, size-1 dims dropped and neighbours merged
 * when they stay contiguous in the input, so e.g. NCHW->NHWC becomes a 3-D [N, HW, C] walk.
 */
export interface TransposePlan {
  dims: number[];
  strides: number[];
  /** Odometer for the dims above the last two. */
  idx: Int32Array;
}

/** Tile edge for the last two dims: reads and writes both stay within a few cache lines. */
const TILE = 32;

export function planTranspose(inShape: readonly number[], perm: readonly number[]): TransposePlan {
  const r = inShape.length, inStrides = new Array<number>(r);
  for (let i = r - 1, acc = 1; i >= 0; i--) { inStrides[i] = acc; acc *= inShape[i]; }
  const dims: number[] = [], strides: number[] = [];
  for (const p of perm) {
    const d = inShape[p], s = inStrides[p], k = dims.length - 1;
    if (d === 1) continue;
    if (k >= 0 && strides[k] === s * d) { dims[k] *= d; strides[k] = s; } else { dims.push(d); strides.push(s); }
  }
  return { dims, strides, idx: new Int32Array(Math.max(0, dims.length - 2)) };
}

export const transpose = cpuKernel<TransposeAttrs, TransposePlan>({
  prepare(attrs, inputs) {
    const r = inputs[0].shape.length;
    return planTranspose(inputs[0].shape, attrs.perm ?? Array.from({ length: r }, (_, i) => r - 1 - i));
  },
  run(inputs, p, outputs) {
    const x = inputs[0]!.data, o = outputs[0].data, r = p.dims.length;
    if (o.length === 0) return;
    if (r <= 1) { copyInput(inputs, p, outputs); return; } // the permutation moves nothing
    const a = p.dims[r - 2], b = p.dims[r - 1], sa = p.strides[r - 2], sb = p.strides[r - 1], idx = p.idx;
    idx.fill(0);
    let xb = 0;
    for (let ob = 0; ob < o.length; ob += a * b) {
      if (sb === 1) for (let i = 0; i < a; i++) copyRun(x, xb + i * sa, o, ob + i * b, b); // rows stay contiguous
      else for (let i0 = 0; i0 < a; i0 += TILE) {
        const i1 = Math.min(a, i0 + TILE);
        for (let j0 = 0; j0 < b; j0 += TILE) {
          const j1 = Math.min(b, j0 + TILE);
          for (let i = i0; i < i1; i++) {
            let oi = ob + i * b + j0, xi = xb + i * sa + j0 * sb;
            for (let j = j0; j < j1; j++, oi++, xi += sb) o[oi] = x[xi];
          }
        }
      }
      for (let d = r - 3; d >= 0; d--) {
        xb += p.strides[d];
        if (++idx[d] < p.dims[d]) break;
        xb -= p.strides[d] * p.dims[d];
        idx[d] = 0;
      }
    }
  },
});
