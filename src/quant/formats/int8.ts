import type { PackedWeight } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import { int8Scale, quantizeInt8 } from '../../../kernels/cpu/q-round.js';
import { QuantizeError } from '../errors.js';
import { checkFinite, denseIndex, readRow, weightMatrix, type WeightMatrix } from './matrix.js';

/**
 * INT8 weights, symmetric, one float32 scale per output channel.
 *
 * The dense weight (float32, `shape`) is a matrix of `rows` output channels by `depth` K
 * elements (see WeightMatrix: `axis` 0 = W[c, ...], `axis` 1 = column c of W[k, c]).
 *
 * Byte layout (two arrays, each a whole number of u32 so WGSL reads them as they are):
 *   quants  Int8Array    rows * stride bytes, stride = K rounded up to a multiple of 4;
 *                        quants[c * stride + k] = q[c, k]; the padding bytes are 0.
 *   scales  Float32Array rows entries.
 *   byteLength = rows * stride + 4 * rows.
 *
 * Dequantization:  W[c, k] = q[c, k] * scales[c],  q in [-127, 127] (-128 is never produced, so
 * a negated quant is still an int8 and int8 x int8 products stay within 127^2).
 *
 * Reference quantizer (below, scalar): scales[c] = max_k |W[c, k]| / 127 (0 for a zero row),
 * q = clamp(roundHalfEven(W / scales[c]), -127, 127), computed as W * (1 / scale).
 */
export class Int8Weight implements PackedWeight {
  readonly format = 'int8' as const;
  readonly shape: readonly number[];
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;
  readonly stride: number;

  constructor(shape: readonly number[], axis: 0 | 1, readonly quants: Int8Array, readonly scales: Float32Array) {
    const m = weightMatrix(shape, axis, 'Int8Weight');
    this.shape = Object.freeze(shape.slice());
    this.axis = axis;
    this.rows = m.rows;
    this.depth = m.depth;
    this.stride = int8Stride(m.depth);
    if (quants.length !== this.rows * this.stride) throw new QuantizeError(`Int8Weight: quants must hold rows * stride = ${this.rows} * ${this.stride} = ${this.rows * this.stride} bytes, got ${quants.length}`);
    if (scales.length !== this.rows) throw new QuantizeError(`Int8Weight: scales must hold one float per row (${this.rows}), got ${scales.length}`);
  }

  get byteLength(): number { return this.quants.byteLength + this.scales.byteLength; }

  /** q[c, k] (the reference accessor; kernels read `quants` directly). */
  quant(c: number, k: number): number { return this.quants[c * this.stride + k]; }

  dequantize(): Tensor<'float32'> {
    const out = new Float32Array(this.rows * this.depth), m: WeightMatrix = this;
    for (let c = 0; c < this.rows; c++) {
      const s = this.scales[c];
      for (let k = 0; k < this.depth; k++) out[denseIndex(m, c, k)] = this.quant(c, k) * s;
    }
    return new Tensor('float32', this.shape, out);
  }
}

/** Row stride of the quants: K rounded up to a multiple of 4 bytes. */
export function int8Stride(depth: number): number { return Math.ceil(depth / 4) * 4; }

/** The reference INT8 quantizer (scalar, one row at a time). `what` names the weight in errors. */
export function quantizeInt8Weight(w: Tensor, axis: 0 | 1, what = 'weight'): Int8Weight {
  if (w.dtype !== 'float32') throw new QuantizeError(`${what}: only float32 weights can be quantized, got ${w.dtype}`);
  const data = w.data as Float32Array;
  checkFinite(data, what);
  const m = weightMatrix(w.shape, axis, what), stride = int8Stride(m.depth);
  const quants = new Int8Array(m.rows * stride), scales = new Float32Array(m.rows), row = new Float32Array(m.depth);
  for (let c = 0; c < m.rows; c++) {
    const r = readRow(data, m, c, row);
    // The stored (float32) scale is the one dequantization uses, so quantize with it.
    const s = Math.fround(int8Scale(r, 0, m.depth)), inv = s === 0 ? 0 : 1 / s;
    scales[c] = s;
    for (let k = 0; k < m.depth; k++) quants[c * stride + k] = quantizeInt8(r[k], inv);
  }
  return new Int8Weight(w.shape, axis, quants, scales);
}
