import { at, size, unravel, type RefTensor } from './tensor.js';

/** Normalise each row X[i0..i(axis-1), :] over the trailing dims; two-pass mean and variance. */
export function layerNormRef(x: RefTensor, scale: RefTensor, bias: RefTensor | undefined, axis: number, epsilon: number):
  { y: RefTensor; mean: Float64Array; invStdDev: Float64Array } {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const d = size(x.shape.slice(ax)), rows = size(x.shape.slice(0, ax));
  const y = new Float64Array(x.data.length), mean = new Float64Array(rows), inv = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * d, r * d + d);
    const m = row.reduce((s, v) => s + v, 0) / d;
    const variance = row.reduce((s, v) => s + (v - m) ** 2, 0) / d;
    mean[r] = m;
    inv[r] = 1 / Math.sqrt(variance + epsilon);
    for (let k = 0; k < d; k++) {
      const i = r * d + k, idx = unravel(i, x.shape);
      y[i] = (row[k] - m) * inv[r] * at(scale, idx) + (bias ? at(bias, idx) : 0);
    }
  }
  return { y: { shape: x.shape.slice(), data: y }, mean, invStdDev: inv };
}
