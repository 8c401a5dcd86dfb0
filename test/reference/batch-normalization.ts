import { unravel, type RefTensor } from './tensor.js';

/** Inference BatchNormalization: y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + B[c], c = axis 1. */
export function batchNormRef(x: RefTensor, scale: RefTensor, bias: RefTensor, mean: RefTensor, variance: RefTensor, epsilon: number): RefTensor {
  const y = new Float64Array(x.data.length);
  for (let i = 0; i < y.length; i++) {
    const c = unravel(i, x.shape)[1];
    y[i] = ((x.data[i] - mean.data[c]) / Math.sqrt(variance.data[c] + epsilon)) * scale.data[c] + bias.data[c];
  }
  return { shape: x.shape.slice(), data: y };
}
