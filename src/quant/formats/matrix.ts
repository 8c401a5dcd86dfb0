import { QuantizeError } from '../errors.js';

/**
 * How a dense weight is seen as a matrix of output channels (rows) by reduction elements
 * (depth K): `axis` 0 takes W[c, ...] as row c (Conv [M, C/g, kh, kw], Gather data [V, H],
 * Gemm B with transB = 1); `axis` 1 takes column c of a 2-D W[k, c] (MatMul B [K, N]).
 */
export interface WeightMatrix { axis: 0 | 1; rows: number; depth: number }

export function weightMatrix(shape: readonly number[], axis: 0 | 1, what: string): WeightMatrix {
  if (axis === 1 && shape.length !== 2) throw new QuantizeError(`${what}: axis 1 (columns are channels) needs a 2-D weight, got shape [${shape.join(', ')}]`);
  if (shape.length < 1) throw new QuantizeError(`${what}: a scalar cannot be quantized per channel`);
  const rows = shape[axis], size = shape.reduce((a, b) => a * b, 1);
  return { axis, rows, depth: rows === 0 ? 0 : size / rows };
}

/** Row c of the weight as a contiguous float array (copied when the channels are columns). */
export function readRow(w: Float32Array, m: WeightMatrix, c: number, out: Float32Array): Float32Array {
  if (m.axis === 0) return w.subarray(c * m.depth, (c + 1) * m.depth);
  for (let k = 0; k < m.depth; k++) out[k] = w[k * m.rows + c];
  return out;
}

/** Index of row c, element k in the dense layout. */
export function denseIndex(m: WeightMatrix, c: number, k: number): number {
  return m.axis === 0 ? c * m.depth + k : k * m.rows + c;
}

/** The first non-finite value, for an error that names it. */
export function checkFinite(w: Float32Array, what: string): void {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new QuantizeError(`${what}: value ${w[i]} at flat index ${i} is not finite; cannot quantize it`);
  }
}
