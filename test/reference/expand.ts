import { mapBroadcast, ravel, size, unravel, type RefTensor } from './tensor.js';

/** Expand is broadcasting against a tensor of the target shape. */
export function expandRef(x: RefTensor, target: number[]): RefTensor {
  return mapBroadcast([x, { shape: target, data: new Float64Array(size(target)) }], (v) => v);
}

export function whereRef(c: RefTensor, x: RefTensor, y: RefTensor): RefTensor {
  return mapBroadcast([c, x, y], (cv, xv, yv) => (cv ? xv : yv));
}

/** out[i] = x[i mod input dims]. */
export function tileRef(x: RefTensor, repeats: readonly number[]): RefTensor {
  const shape = x.shape.map((d, a) => d * repeats[a]), data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = x.data[ravel(unravel(i, shape).map((j, a) => j % x.shape[a]), x.shape)];
  return { shape, data };
}
