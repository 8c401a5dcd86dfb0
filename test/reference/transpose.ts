import { ravel, size, unravel, type RefTensor } from './tensor.js';

/** out[i_0, ..., i_{r-1}] = x[j] where j[perm[k]] = i_k. */
export function transposeRef(x: RefTensor, perm?: readonly number[]): RefTensor {
  const r = x.shape.length, p = perm ?? x.shape.map((_, i) => r - 1 - i);
  const shape = p.map((a) => x.shape[a]), data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const oi = unravel(i, shape), xi = new Array<number>(r);
    p.forEach((a, k) => { xi[a] = oi[k]; });
    data[i] = x.data[ravel(xi, x.shape)];
  }
  return { shape, data };
}
