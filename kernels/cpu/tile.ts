import type { TileAttrs } from '../../src/ops/tile.js';
import { cpuKernel } from '../types.js';
import { copyRun } from './identity.js';

export interface TilePlan {
  inShape: number[];
  inStrides: number[];
  outShape: number[];
  /** Odometers over the output's outer dims and the input index each one reads. */
  idx: Int32Array;
  src: Int32Array;
}

export const tile = cpuKernel<TileAttrs, TilePlan>({
  prepare(_attrs, inputs, outputs) {
    const inShape = inputs[0].shape.slice(), r = inShape.length, inStrides = new Array<number>(r);
    for (let i = r - 1, acc = 1; i >= 0; i--) { inStrides[i] = acc; acc *= inShape[i]; }
    return { inShape, inStrides, outShape: outputs[0].shape.slice(), idx: new Int32Array(r), src: new Int32Array(r) };
  },
  run(inputs, { inShape, inStrides, outShape, idx, src }, outputs) {
    const x = inputs[0]!.data, o = outputs[0].data, r = inShape.length;
    if (o.length === 0) return;
    if (r === 0) { o[0] = x[0]; return; }
    // Each output row along the last axis is the matching input row, repeated.
    const dl = inShape[r - 1], n = outShape[r - 1];
    idx.fill(0); src.fill(0);
    let base = 0;
    for (let oi = 0; oi < o.length; oi += n) {
      for (let t = 0; t < n; t += dl) copyRun(x, base, o, oi + t, dl);
      for (let a = r - 2; a >= 0; a--) {
        base += inStrides[a];
        if (++src[a] === inShape[a]) { src[a] = 0; base -= inStrides[a] * inShape[a]; }
        if (++idx[a] < outShape[a]) break;
        idx[a] = 0; base -= src[a] * inStrides[a]; src[a] = 0;
      }
    }
  },
});
