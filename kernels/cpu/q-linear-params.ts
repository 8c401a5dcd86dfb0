import type { KMeta } from '../types.js';

/**
 * Per-tensor or per-axis scale / zero point of QuantizeLinear and DequantizeLinear, resolved for
 * concrete shapes: element i of the data uses parameter floor(i / inner) % d (d = 1: per tensor).
 */
export interface AxisParams { d: number; inner: number }

export function axisParams(x: readonly number[], scale: KMeta, axis: number): AxisParams {
  const n = scale.shape.reduce((a, b) => a * b, 1);
  if (n === 1) return { d: 1, inner: Math.max(1, x.reduce((a, b) => a * b, 1)) };
  const ax = axis < 0 ? axis + x.length : axis;
  let inner = 1;
  for (let i = ax + 1; i < x.length; i++) inner *= x[i];
  return { d: x[ax], inner };
}

/** Saturation range of a quantized integer type. */
export function satRange(dtype: string): [number, number] {
  return dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : [-2147483648, 2147483647];
}

/**
 * numpy.matmul batches for contiguous operands: per output matrix t, the element offsets of its
 * A and B matrices (broadcast batch dims repeat an offset).
 */
export interface MatMulBatches { M: number; K: number; N: number; batches: number; aOff: Int32Array; bOff: Int32Array }

export function matmulBatches(a: readonly number[], b: readonly number[]): MatMulBatches {
  const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
  const M = A[A.length - 2], K = A[A.length - 1], N = B[B.length - 1];
  const aB = A.slice(0, -2), bB = B.slice(0, -2), rank = Math.max(aB.length, bB.length);
  const pa = [...new Array<number>(rank - aB.length).fill(1), ...aB], pb = [...new Array<number>(rank - bB.length).fill(1), ...bB];
  const out = pa.map((x, i) => (x === 1 ? pb[i] : x)), batches = out.reduce((x, y) => x * y, 1);
  const aOff = new Int32Array(batches), bOff = new Int32Array(batches);
  for (let t = 0; t < batches; t++) {
    let rem = t, ao = 0, bo = 0, as = M * K, bs = K * N;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % out[d];
      rem = Math.floor(rem / out[d]);
      if (pa[d] !== 1) ao += i * as;
      if (pb[d] !== 1) bo += i * bs;
      as *= pa[d]; bs *= pb[d];
    }
    aOff[t] = ao; bOff[t] = bo;
  }
  return { M, K, N, batches, aOff, bOff };
}
