import type { RefTensor } from './tensor.js';

/** min(max(x, lo), hi): with lo > hi everything becomes hi, as ONNX specifies; NaN stays NaN. */
export function clipRef(x: RefTensor, lo = -Infinity, hi = Infinity): RefTensor {
  return { shape: x.shape.slice(), data: x.data.map((v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi))) };
}
