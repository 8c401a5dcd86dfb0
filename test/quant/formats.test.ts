import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Int8Weight, quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { Int4Weight, halfToNumber, quantizeInt4Weight } from '../../src/quant/formats/int4.js';
import { QuantizeError } from '../../src/quant/errors.js';
import { Tensor } from '../../src/tensor.js';
import { f16ToF32, f32ToF16 } from '../../src/dtype.js';
import { randomFloats, RUNS, seed } from '../util/numerics.js';
import { nmse, normalTensor } from './gen.js';

describe('INT8 per-channel format', () => {
  it('meets the NMSE budget (<= 1e-4) on normally distributed weights, both channel axes', () => {
    for (const axis of [0, 1] as const) {
      const w = normalTensor([384, 512], 11 + axis, 0.05);
      const e = nmse(quantizeInt8Weight(w, axis).dequantize().data, w.data);
      expect(e).toBeLessThanOrEqual(1e-4);
      expect(e).toBeGreaterThan(1e-6); // it does quantize
    }
  });

  it('lays out quants row by row with u32-aligned rows and one float32 scale per channel', () => {
    const w = new Tensor('float32', [2, 3], [1, -2, 0.5, 0, 0, 0]); // rows: channel 0, channel 1 (axis 0)
    const q = quantizeInt8Weight(w, 0);
    expect(q.stride).toBe(4);
    expect(Array.from(q.quants)).toEqual([64, -127, 32, 0, 0, 0, 0, 0]);
    expect(Array.from(q.scales)).toEqual([Math.fround(2 / 127), 0]);
    expect(q.byteLength).toBe(8 + 8);
    const t = quantizeInt8Weight(new Tensor('float32', [3, 2], [1, 0, -2, 0, 0.5, 0]), 1); // the transpose, channels as columns
    expect(Array.from(t.quants)).toEqual(Array.from(q.quants));
    expect(t.dequantize().shape).toEqual([3, 2]);
  });

  it('round-trips: |W - deq(q(W))| <= scale / 2 per element, extremes exact', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 40 }), seed(), (rows, depth, s) => {
      const w = new Tensor('float32', [rows, depth], randomFloats(rows * depth, s, -3, 3));
      const q = quantizeInt8Weight(w, 0), d = q.dequantize().data;
      for (let c = 0; c < rows; c++) for (let k = 0; k < depth; k++) {
        const i = c * depth + k;
        expect(Math.abs(d[i] - w.data[i])).toBeLessThanOrEqual(q.scales[c] / 2 * (1 + 1e-6) + 1e-12);
        expect(Math.abs(q.quant(c, k))).toBeLessThanOrEqual(127);
      }
      expect(q.quants.byteLength % 4).toBe(0);
    }), { numRuns: RUNS });
  });

  it('weight bytes are <= 0.27x float32 for a layer-sized matrix', () => {
    const w = normalTensor([768, 768], 3);
    expect(quantizeInt8Weight(w, 1).byteLength / w.data.byteLength).toBeLessThanOrEqual(0.27);
  });

  it('rejects non-finite weights and non-float inputs, naming them', () => {
    const w = new Tensor('float32', [2, 2], [1, NaN, 0, 1]);
    expect(() => quantizeInt8Weight(w, 0, "weight 'fc'")).toThrow(/weight 'fc': value NaN at flat index 1 is not finite/);
    expect(() => quantizeInt8Weight(new Tensor('int32', [2], [1, 2]), 0)).toThrow(QuantizeError);
    expect(() => new Int8Weight([2, 3], 0, new Int8Array(6), new Float32Array(2))).toThrow(/rows \* stride = 2 \* 4 = 8 bytes, got 6/);
  });
});

describe('INT4 group-wise format', () => {
  it('meets the NMSE budget (<= 1e-2) at group 32 on normally distributed weights, and is worse for bigger groups', () => {
    const w = normalTensor([256, 768], 5, 0.05);
    const e = [32, 64, 128].map((g) => nmse(quantizeInt4Weight(w, 1, g as 32).dequantize().data, w.data));
    expect(e[0]).toBeLessThanOrEqual(1e-2);
    expect(e[0]).toBeLessThan(e[1]);
    expect(e[1]).toBeLessThan(e[2]);
  });

  it('packs two nibbles (q + 8) per byte, low nibble first, and float16 scales', () => {
    // One channel, K = 4 (padded to a group of 32): values -8s, 7s, 1s, 0 with s = 0.5.
    const q = quantizeInt4Weight(new Tensor('float32', [1, 4], [4, -3.5, -0.5, 0]), 0, 32);
    expect(q.blocks).toBe(1);
    expect(q.quants.length).toBe(16);
    expect(f16ToF32(q.scales[0])).toBe(-0.5);
    expect(q.scales.length).toBe(2); // padded to a whole u32
    // q = [-8, 7, 1, 0] -> u = [0, 15, 9, 8]: bytes 0xF0, 0x89, then padding 0x88.
    expect(Array.from(q.quants.subarray(0, 3))).toEqual([0xf0, 0x89, 0x88]);
    expect(Array.from(q.dequantize().data, (v) => v + 0)).toEqual([4, -3.5, -0.5, 0]); // q = 0 times a negative scale is -0
    const words = new Uint32Array(q.quants.buffer, q.quants.byteOffset, 4);
    expect(words[0] & 0xffff).toBe(0x89f0); // element k in bits 4k..4k+3 of the little-endian word
  });

  it('pads a K that the group does not divide, and dequantizes only the real elements', () => {
    const w = normalTensor([3, 45], 8);
    const q = quantizeInt4Weight(w, 0, 32);
    expect(q.blocks).toBe(2);
    expect(q.quants.length).toBe(3 * 2 * 16);
    for (let c = 0; c < 3; c++) for (let k = 45; k < 64; k++) expect(q.quant(c, k)).toBe(0);
    expect(q.dequantize().data.length).toBe(3 * 45);
    expect(nmse(q.dequantize().data, w.data)).toBeLessThan(1e-2);
  });

  it('round-trips: half a step inside the range, and each group\'s scale beats the plain max-magnitude one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 140 }), fc.constantFrom(32, 64, 128), seed(), (rows, depth, G, s) => {
      const w = new Tensor('float32', [depth, rows], randomFloats(rows * depth, s, -2, 2));
      const q = quantizeInt4Weight(w, 1, G as 32), d = q.dequantize().data;
      for (let c = 0; c < rows; c++) for (let b = 0; b < q.blocks; b++) {
        const sc = q.scale(c, b), ks = Array.from({ length: Math.min(depth, (b + 1) * G) - b * G }, (_, i) => b * G + i);
        let big = 0;
        for (const k of ks) if (Math.abs(w.data[k * rows + c]) > Math.abs(big)) big = w.data[k * rows + c];
        const plain = f16ToF32(f32ToF16(big / -8));
        let sse = 0, ssePlain = 0;
        for (const k of ks) {
          const v = w.data[k * rows + c], t = v / sc;
          if (t >= -8 && t <= 7) expect(Math.abs(d[k * rows + c] - v)).toBeLessThanOrEqual(Math.abs(sc) / 2 * 1.001 + 1e-7);
          sse += (d[k * rows + c] - v) ** 2;
          const qp = plain === 0 ? 0 : Math.min(7, Math.max(-8, Math.round(v / plain)));
          ssePlain += (qp * plain - v) ** 2;
        }
        expect(sse).toBeLessThanOrEqual(ssePlain * (1 + 1e-6) + 1e-9);
      }
      expect(q.quants.byteLength % 4).toBe(0);
      expect(q.scales.byteLength % 4).toBe(0);
    }), { numRuns: RUNS });
  });

  it('decodes float16 scales exactly as f16ToF32 does, for all 65536 bit patterns', () => {
    for (let h = 0; h < 65536; h++) {
      const a = f16ToF32(h), b = halfToNumber(h);
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) expect(b, `bits 0x${h.toString(16)}`).toBe(a);
    }
  });

  it('weight bytes are <= 0.16x float32 at group 32', () => {
    const w = normalTensor([768, 768], 3);
    expect(quantizeInt4Weight(w, 1, 32).byteLength / w.data.byteLength).toBeLessThanOrEqual(0.16);
  });

  it('rejects unsupported group sizes and inconsistent arrays', () => {
    const w = normalTensor([4, 64], 1);
    expect(() => quantizeInt4Weight(w, 0, 48 as 32)).toThrow(/group size must be one of 32, 64, 128, got 48/);
    expect(() => new Int4Weight([4, 64], 0, 32, new Uint8Array(10), new Uint16Array(8))).toThrow(/quants must hold/);
  });
});
