import { ravel, size, unravel, type RefTensor } from './tensor.js';

/** Each output element found by walking the inputs along the axis. */
export function concatRef(xs: readonly RefTensor[], axis: number): RefTensor {
  const r = xs[0].shape.length, a = axis < 0 ? axis + r : axis;
  const shape = xs[0].shape.slice();
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    let k = 0, pos = idx[a];
    while (pos >= xs[k].shape[a]) pos -= xs[k++].shape[a];
    idx[a] = pos;
    data[i] = xs[k].data[ravel(idx, xs[k].shape)];
  }
  return { shape, data };
}

/** Consecutive pieces of the given sizes along the axis. */
export function splitRef(x: RefTensor, axis: number, sizes: readonly number[]): RefTensor[] {
  const a = axis < 0 ? axis + x.shape.length : axis;
  let offset = 0;
  return sizes.map((n) => {
    const shape = x.shape.slice();
    shape[a] = n;
    const data = new Float64Array(size(shape));
    for (let i = 0; i < data.length; i++) {
      const idx = unravel(i, shape);
      idx[a] += offset;
      data[i] = x.data[ravel(idx, x.shape)];
    }
    offset += n;
    return { shape, data };
  });
}
