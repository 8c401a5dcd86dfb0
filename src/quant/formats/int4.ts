import type { PackedWeight } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import { f16ToF32, f32ToF16 } from '../../dtype.js';
import { roundHalfEven } from '../../../kernels/cpu/q-round.js';
import { QuantizeError } from '../errors.js';
import { checkFinite, denseIndex, readRow, weightMatrix, type WeightMatrix } from './matrix.js';

export const INT4_GROUP_SIZES = [32, 64, 128] as const;
export type Int4GroupSize = (typeof INT4_GROUP_SIZES)[number];

/**
 * INT4 weights, group-wise: signed 4-bit quants with offset 8, one float16 scale per group of
 * `groupSize` consecutive K elements of an output channel (ggml Q4_0's numbers, onnxruntime
 * MatMulNBits' layout, quants and scales kept apart so every array is u32-aligned).
 *
 * The dense weight is a matrix of `rows` channels by `depth` K (see WeightMatrix). Each row has
 * blocks = ceil(K / G) groups; a K that G does not divide is padded with zeros up to blocks * G
 * (the padding quants are 8, i.e. q = 0; onnxruntime's MatMulNBits pads the same way).
 *
 * Byte layout:
 *   quants  Uint8Array  rows * blocks * G/2 bytes. Element k of row c is in byte
 *                       c * blocks * G/2 + (k >> 1): low nibble for even k, high nibble for odd k,
 *                       stored as u = q + 8 (q in [-8, 7]). Read as little-endian u32 words,
 *                       word c * blocks * G/8 + (k >> 3) holds element k in bits 4 * (k & 7) ...
 *                       This is exactly MatMulNBits' B [N, blocks, G/2] (bits = 4, no zero points).
 *   scales  Uint16Array IEEE float16 bits, rows * blocks entries (index c * blocks + b), plus one
 *                       zero entry when that count is odd, so the array is a whole number of u32
 *                       (WGSL decodes pairs with unpack2x16float).
 *   byteLength = rows * blocks * G/2 + 2 * (rows * blocks rounded up to even).
 *
 * Dequantization:  W[c, k] = (u[c, k] - 8) * f16(scales[c * blocks + floor(k / G)]).
 *
 * Reference quantizer (below, scalar): m = the group's value of largest magnitude (its sign
 * kept); scale = f16(alpha * m / -8) or f16(alpha * m / 7), alpha in {1, 0.975, ..., 0.7}, the
 * one with the least squared error of the group (alpha = 1 in the first form maps m to -8
 * exactly, as ggml's Q4_0 does; the second puts m at +7 and leaves -8 to the other side);
 * q = clamp(roundHalfEven(W / scale), -8, 7), computed as W * (1 / scale) with the float16 scale.
 */
export class Int4Weight implements PackedWeight {
  readonly format = 'int4' as const;
  readonly shape: readonly number[];
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;
  readonly blocks: number;

  constructor(shape: readonly number[], axis: 0 | 1, readonly groupSize: Int4GroupSize, readonly quants: Uint8Array, readonly scales: Uint16Array) {
    if (!(INT4_GROUP_SIZES as readonly number[]).includes(groupSize)) throw new QuantizeError(`Int4Weight: group size must be one of ${INT4_GROUP_SIZES.join(', ')}, got ${groupSize}`);
    const m = weightMatrix(shape, axis, 'Int4Weight');
    this.shape = Object.freeze(shape.slice());
    this.axis = axis;
    this.rows = m.rows;
    this.depth = m.depth;
    this.blocks = Math.ceil(m.depth / groupSize);
    const qBytes = this.rows * this.blocks * (groupSize / 2), sCount = int4ScaleCount(this.rows, this.blocks);
    if (quants.length !== qBytes) throw new QuantizeError(`Int4Weight: quants must hold rows * blocks * G/2 = ${this.rows} * ${this.blocks} * ${groupSize / 2} = ${qBytes} bytes, got ${quants.length}`);
    if (scales.length !== sCount) throw new QuantizeError(`Int4Weight: scales must hold ${sCount} float16 values (rows * blocks, rounded up to even), got ${scales.length}`);
  }

  get byteLength(): number { return this.quants.byteLength + this.scales.byteLength; }

  /** q[c, k] in [-8, 7] (the reference accessor). */
  quant(c: number, k: number): number {
    const byte = this.quants[c * this.blocks * (this.groupSize / 2) + (k >> 1)];
    return ((k & 1 ? byte >> 4 : byte) & 15) - 8;
  }

  scale(c: number, block: number): number { return f16ToF32(this.scales[c * this.blocks + block]); }

  scalesFloat32(): Float32Array {
    const out = new Float32Array(this.rows * this.blocks);
    for (let i = 0; i < out.length; i++) out[i] = halfToNumber(this.scales[i]);
    return out;
  }

  dequantize(): Tensor<'float32'> {
    const out = new Float32Array(this.rows * this.depth), m: WeightMatrix = this, G = this.groupSize, scales = this.scalesFloat32();
    for (let c = 0; c < this.rows; c++) {
      for (let k = 0; k < this.depth; k++) out[denseIndex(m, c, k)] = this.quant(c, k) * scales[c * this.blocks + Math.floor(k / G)];
    }
    return new Tensor('float32', this.shape, out);
  }
}

export function int4ScaleCount(rows: number, blocks: number): number { return Math.ceil((rows * blocks) / 2) * 2; }

const F16_MAX = 65504;

/** 2^(e - 15) for each float16 exponent field e. */
const POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** (e - 15));

/**
 * f16ToF32 (src/dtype.ts, the reference it is tested against) without its `**`: bestScale
 * decodes every candidate scale, and `**` there was a third of int4 quantize()'s time.
 */
export function halfToNumber(h: number): number {
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const v = e === 0 ? (m / 1024) * POW2[1] : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * POW2[e];
  return h & 0x8000 ? -v : v;
}

/** q = clamp(roundHalfEven(v * inv), -8, 7): the int4 quantizer for a given (inverse) scale. */
export function q4(v: number, inv: number): number { return Math.min(7, Math.max(-8, roundHalfEven(v * inv))); }

/** The float16 bits of the scale of group r[k0 .. k1) (see bestScale); `what` names it in errors. */
export function int4GroupScale(r: ArrayLike<number>, k0: number, k1: number, what: string): number {
  let big = 0;
  for (let k = k0; k < k1; k++) if (Math.abs(r[k]) > Math.abs(big)) big = r[k];
  if (Math.abs(big / 8) > F16_MAX) throw new QuantizeError(`${what}: |value| ${Math.abs(big)} is too large for an int4 group scale (float16 holds up to ${F16_MAX} * 8)`);
  return bestScale(r, k0, k1, big);
}

/**
 * The float16 scale of one group, the least-squared-error one (MSE clipping search) among
 * alpha * m / -8 and alpha * m / 7 (m the value of largest magnitude, alpha = 1, 0.975, ...,
 * 0.7). alpha = 1 / -8 is absmax (ggml's Q4_0); smaller alphas clip the extremes a little to
 * resolve the bulk more finely, and the / 7 forms use the range's asymmetry the other way round.
 * On normal weights, group 32: NMSE 7.39e-3 absmax, 6.79e-3 with the / -8 forms, 6.62e-3 with both.
 */
function bestScale(r: ArrayLike<number>, k0: number, k1: number, big: number): number {
  let best = f32ToF16(big / -8), bestErr = Infinity;
  for (let i = 0; i <= 25; i++) {
    const alpha = 1 - 0.025 * (i >> 1), bits = f32ToF16((alpha * big) / (i & 1 ? 7 : -8));
    const s = halfToNumber(bits), inv = s === 0 ? 0 : 1 / s;
    let err = 0;
    for (let k = k0; k < k1; k++) {
      // Ties round up here: a tie moves the error by nothing, so the choice is the same.
      // (floor(x + 0.5) rather than Math.round: about 4x faster in V8, and this loop is most of quantize()'s time.)
      const v = r[k];
      let q = Math.floor(v * inv + 0.5);
      q = q > 7 ? 7 : q < -8 ? -8 : q;
      const d = v - q * s;
      err += d * d;
    }
    if (err < bestErr) { bestErr = err; best = bits; }
  }
  return best;
}

/** The reference INT4 quantizer (scalar, one group at a time). `what` names the weight in errors. */
export function quantizeInt4Weight(w: Tensor, axis: 0 | 1, groupSize: Int4GroupSize, what = 'weight'): Int4Weight {
  if (w.dtype !== 'float32') throw new QuantizeError(`${what}: only float32 weights can be quantized, got ${w.dtype}`);
  if (!(INT4_GROUP_SIZES as readonly number[]).includes(groupSize)) throw new QuantizeError(`${what}: int4 group size must be one of ${INT4_GROUP_SIZES.join(', ')}, got ${groupSize}`);
  const data = w.data as Float32Array;
  checkFinite(data, what);
  const m = weightMatrix(w.shape, axis, what), G = groupSize, blocks = Math.ceil(m.depth / G), rowBytes = blocks * (G / 2);
  const quants = new Uint8Array(m.rows * rowBytes).fill(0x88), scales = new Uint16Array(int4ScaleCount(m.rows, blocks));
  const row = new Float32Array(m.depth);
  for (let c = 0; c < m.rows; c++) {
    const r = readRow(data, m, c, row);
    for (let b = 0; b < blocks; b++) {
      const k0 = b * G, k1 = Math.min(m.depth, k0 + G);
      const bits = int4GroupScale(r, k0, k1, `${what}, channel ${c}`);
      const s = halfToNumber(bits), inv = s === 0 ? 0 : 1 / s;
      scales[c * blocks + b] = bits;
      for (let k = k0; k < k1; k++) {
        const q = q4(r[k], inv);
        const at = c * rowBytes + (k >> 1), u = q + 8;
        quants[at] = k & 1 ? (quants[at] & 0x0f) | (u << 4) : (quants[at] & 0xf0) | u;
      }
    }
  }
  return new Int4Weight(w.shape, axis, groupSize, quants, scales);
}
