import type { Int4View, QuantView } from '../cpu/q-weights.js';
import type { UniformField } from './types.js';

/**
 * Reading weights packed by quantize() (src/quant/formats) in WGSL, as they are laid out:
 *   int8: row c is `stride` bytes (K rounded up to 4) of int8 quants, read as u32 words, byte k
 *         of row c at c * stride + k (sign-extended); one f32 scale per row, S[c].
 *   int4: row c holds blocks * G nibbles, element k at word (c * blocks * G + k) / 8, bits
 *         4 * (k % 8), value u - 8; float16 scales, pairs per u32 word (unpack2x16float), the
 *         scale of (c, k) at c * blocks + k / G.
 * Bindings `Wq: array<u32>` and `S` (int8: array<f32>, int4: array<u32>); uniforms stride,
 * blocks, G.
 */
export type WeightFormat = 'int8' | 'int4';

export const QUANT_UNIFORMS: UniformField[] = ['stride', 'blocks', 'G'].map((name) => ({ name, type: 'u32' as const }));

export function scaleType(f: WeightFormat): string { return f === 'int8' ? 'f32' : 'u32'; }

/**
 * `fn dequant(c, k) -> f32`: int4 gives the weight (q times its group scale); int8 gives q
 * alone, the row scale S[c] being applied once in the caller's epilogue (`rowScale(c)`).
 */
export function dequantFns(f: WeightFormat): string {
  return f === 'int8'
    ? `fn dequant(c: u32, k: u32) -> f32 { let e = c * u.stride + k; return f32(extractBits(bitcast<i32>(Wq[e / 4u]), 8u * (e % 4u), 8u)); }
fn rowScale(c: u32) -> f32 { return S[c]; }`
    : `fn dequant(c: u32, k: u32) -> f32 {
  let e = c * u.blocks * u.G + k;
  let si = c * u.blocks + k / u.G;
  return f32(i32(extractBits(Wq[e / 8u], 4u * (e % 8u), 4u)) - 8) * unpack2x16float(S[si / 2u])[si % 2u];
}
fn rowScale(c: u32) -> f32 { return 1.0; }`;
}

/** The arrays to bind and the uniform values for a packed weight. */
export function quantArrays(v: QuantView): { quants: ArrayBufferView; scales: ArrayBufferView; uniforms: Record<string, number> } {
  if (v.format === 'int8') return { quants: v.quants, scales: v.scales, uniforms: { stride: v.stride, blocks: 0, G: 0 } };
  const scales = (v as Int4View & { scales?: Uint16Array }).scales;
  if (!(scales instanceof Uint16Array)) throw new Error('int4 weight without its float16 scales array');
  return { quants: v.quants, scales, uniforms: { stride: 0, blocks: v.blocks, G: v.groupSize } };
}
