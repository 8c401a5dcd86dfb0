import { ravel, unravel, type RefTensor } from './tensor.js';

/** exp(x - max) / sum along `axis`, element by element. */
export function softmaxRef(x: RefTensor, axis: number): RefTensor {
  const ax = axis < 0 ? axis + x.shape.length : axis, n = x.shape[ax];
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, x.shape);
    const line = Array.from({ length: n }, (_, k) => x.data[ravel(idx.map((v, d) => (d === ax ? k : v)), x.shape)]);
    const max = Math.max(...line);
    const sum = line.reduce((s, v) => s + Math.exp(v - max), 0);
    out[i] = Math.exp(x.data[i] - max) / sum;
  }
  return { shape: x.shape.slice(), data: out };
}
