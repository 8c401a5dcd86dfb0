import { ravel, size, unravel, type RefTensor } from './tensor.js';

/** out[pre..., idx..., post...] = x[pre..., indices[idx...] (negatives from the end), post...]. */
export function gatherRef(x: RefTensor, indices: RefTensor, axis: number): RefTensor {
  const a = axis < 0 ? axis + x.shape.length : axis, q = indices.shape.length;
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const oi = unravel(i, shape);
    let k = indices.data[ravel(oi.slice(a, a + q), indices.shape)];
    if (k < 0) k += x.shape[a];
    data[i] = x.data[ravel([...oi.slice(0, a), k, ...oi.slice(a + q)], x.shape)];
  }
  return { shape, data };
}
