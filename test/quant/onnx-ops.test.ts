import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel, type KernelInput } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import {
  convIntegerRef, dequantizeLinearRef, dynamicQuantizeLinearRef, matMulIntegerRef, matMulNBitsRef, quantizeLinearRef, range, requantize,
} from '../reference/quant-onnx.js';

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], s: number, lo = -1, hi = 1): KernelInput => ({ dtype: 'float32', shape, data: randomFloats(prod(shape), s, lo, hi) });
const ints = (dtype: 'int8' | 'uint8' | 'int32', shape: number[], s: number, lo?: number, hi?: number): KernelInput => {
  const [a, b] = dtype === 'int32' ? [-1000, 1000] : range(dtype);
  const v = randomInts(prod(shape), s, lo ?? a, hi ?? b);
  return { dtype, shape, data: dtype === 'int8' ? Int8Array.from(v) : dtype === 'uint8' ? Uint8Array.from(v) : v };
};
const qtype = fc.constantFrom('int8' as const, 'uint8' as const);
const shape = fc.array(dim(6), { minLength: 1, maxLength: 4 });

describe('QuantizeLinear / DequantizeLinear', () => {
  it('per tensor and per axis, every dtype pair, exactly as the reference', () => {
    fc.assert(fc.property(shape, qtype, fc.boolean(), fc.boolean(), seed(), (sh, dtype, perAxis, withZp, s) => {
      const axis = perAxis ? s % sh.length : 1, n = perAxis ? sh[axis] : 1;
      const x = f32(sh, s, -40, 40), sc = f32(perAxis ? [n] : [], s + 1, 0.05, 0.5), zp = withZp ? ints(dtype, perAxis ? [n] : [], s + 2) : undefined;
      const attrs = { axis: axis - (s % 2 ? sh.length : 0) }; // negative axes too
      const [q] = runKernel('QuantizeLinear', [x, sc, zp], withZp ? attrs : { ...attrs, output_dtype: dtype === 'int8' ? 3 : 2 });
      expect(q.dtype).toBe(dtype);
      expectEqual(q.data, quantizeLinearRef(x.data, sh, sc.data, zp?.data, attrs.axis, dtype), { sh, dtype, perAxis, s });
      const [d] = runKernel('DequantizeLinear', [{ dtype, shape: sh, data: q.data }, sc, zp], attrs);
      expectEqual(d.data, dequantizeLinearRef(q.data, sh, sc.data, zp?.data, attrs.axis), { sh, dtype, perAxis, s });
    }), { numRuns: RUNS });
  });

  it('rounds ties to even and saturates', () => {
    const x = { dtype: 'float32' as const, shape: [6], data: Float32Array.from([0.5, 1.5, 2.5, -0.5, 1000, -1000]) };
    const [q] = runKernel('QuantizeLinear', [x, f32([], 1, 1, 1), { dtype: 'int8', shape: [], data: new Int8Array(1) }]);
    expect(Array.from(q.data)).toEqual([0, 2, 2, 0, 127, -128]);
  });

  it('dequantizes int32 (biases) and rejects blocked quantization and mismatched axes', () => {
    const [d] = runKernel('DequantizeLinear', [ints('int32', [3], 1), { dtype: 'float32', shape: [], data: Float32Array.of(0.5) }]);
    expect(d.dtype).toBe('float32');
    expect(() => runKernel('DequantizeLinear', [ints('int8', [2, 3], 1), f32([2], 2)], { axis: 1 })).toThrow(/per-axis x_scale has 2 values but x \[2, 3\] has 3 along axis 1/);
    expect(() => runKernel('QuantizeLinear', [f32([2, 32], 1), f32([2, 1], 2)], { block_size: 32 })).toThrow(/blocked quantization/);
  });
});

describe('DynamicQuantizeLinear', () => {
  it('matches the reference (scale, zero point and values)', () => {
    fc.assert(fc.property(shape, seed(), fc.constantFrom([-3, 5], [0.5, 4], [-6, -1], [0, 0]), (sh, s, [lo, hi]) => {
      const x = f32(sh, s, lo, hi);
      const [y, sc, zp] = runKernel('DynamicQuantizeLinear', [x]);
      const want = dynamicQuantizeLinearRef(x.data);
      expectEqual(y.data, want.y, { sh, s });
      expect([sc.data[0], zp.data[0]]).toEqual([want.scale, want.zp]);
    }), { numRuns: RUNS });
  });
});

describe('MatMulInteger / QLinearMatMul', () => {
  const problem = fc.record({ lead: fc.constantFrom<number[]>([], [2], [2, 1]), M: dim(7), K: dim(9), N: dim(7), ta: qtype, tb: qtype, zpa: fc.constantFrom('none', 'scalar', 'row'), zpb: fc.constantFrom('none', 'scalar', 'col'), s: seed() });

  it('integer products exactly, with zero points per tensor, row and column', () => {
    fc.assert(fc.property(problem, ({ lead, M, K, N, ta, tb, zpa, zpb, s }) => {
      const a = ints(ta, [...lead, M, K], s), b = ints(tb, [K, N], s + 1);
      const az = zpa === 'none' ? undefined : ints(ta, zpa === 'row' ? [prod(lead) * M] : [], s + 2);
      const bz = zpb === 'none' ? undefined : ints(tb, zpb === 'col' ? [N] : [], s + 3);
      const [y] = runKernel('MatMulInteger', bz && !az ? [a, b, undefined, bz] : [a, b, az, bz].filter((v, i) => i < 2 || v) as KernelInput[]);
      const want = matMulIntegerRef(a.data, a.shape, b.data, b.shape, az?.data, bz?.data);
      expect(y.shape).toEqual(want.shape);
      expectEqual(y.data, want.data, { lead, M, K, N, ta, tb, zpa, zpb, s });
    }), { numRuns: RUNS });
  });

  it('QLinearMatMul requantizes in float32 (per tensor a, per column b)', () => {
    fc.assert(fc.property(problem, qtype, ({ lead, M, K, N, ta, tb, s }, ty) => {
      const a = ints(ta, [...lead, M, K], s), b = ints(tb, [K, N], s + 1);
      const as = f32([], s + 2, 0.01, 0.1), az = ints(ta, [], s + 3), bs = f32([N], s + 4, 0.01, 0.1), bz = ints(tb, [N], s + 5);
      const ys = f32([], s + 6, 0.5, 4), yz = ints(ty, [], s + 7);
      const [y] = runKernel('QLinearMatMul', [a, as, az, b, bs, bz, ys, yz]);
      const acc = matMulIntegerRef(a.data, a.shape, b.data, b.shape, az.data, bz.data);
      const want = acc.data.map((v, o) => requantize(v, as.data[0], bs.data[o % Math.max(1, N)], ys.data[0], yz.data[0], ty));
      expect(y.dtype).toBe(ty);
      expectEqual(y.data, want, { lead, M, K, N, s });
    }), { numRuns: RUNS });
  });
});

describe('ConvInteger / QLinearConv', () => {
  const problem = fc.record({
    N: fc.integer({ min: 0, max: 2 }), group: fc.constantFrom(1, 2), Cg: fc.integer({ min: 1, max: 4 }), Mg: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 2, max: 6 }), W: fc.integer({ min: 2, max: 6 }), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }),
    tx: qtype, tw: qtype, perChannel: fc.boolean(), s: seed(),
  }).filter((p) => p.H + 2 * p.pad >= p.k && p.W + 2 * p.pad >= p.k);
  type Problem = typeof problem extends fc.Arbitrary<infer T> ? T : never;
  const setup = (p: Problem) => {
    const M = p.group * p.Mg, x = ints(p.tx, [p.N, p.group * p.Cg, p.H, p.W], p.s), w = ints(p.tw, [M, p.Cg, p.k, p.k], p.s + 1);
    const attrs = { group: p.group, strides: [p.stride, p.stride], pads: [p.pad, p.pad, p.pad, p.pad] };
    const win = { kernel: [p.k, p.k], strides: attrs.strides, pads: attrs.pads, dilations: [1, 1] };
    return { M, x, w, attrs, win, xz: ints(p.tx, [], p.s + 2), wz: ints(p.tw, p.perChannel ? [M] : [], p.s + 3) };
  };

  it('ConvInteger: exact, padding reads the zero point', () => {
    fc.assert(fc.property(problem, (p) => {
      const { x, w, attrs, win, xz, wz } = setup(p);
      const [y] = runKernel('ConvInteger', [x, w, xz, wz], attrs);
      const want = convIntegerRef(x.data, x.shape, w.data, w.shape, win, p.group, xz.data[0], wz.data);
      expect(y.shape).toEqual(want.shape);
      expectEqual(y.data, want.data, p);
    }), { numRuns: RUNS });
  });

  it('QLinearConv: integer conv + int32 bias, requantized per channel', () => {
    fc.assert(fc.property(problem, qtype, (p, ty) => {
      const { M, x, w, attrs, win, xz, wz } = setup(p);
      const xs = f32([], p.s + 4, 0.01, 0.1), ws = f32(p.perChannel ? [M] : [], p.s + 5, 0.01, 0.1), ys = f32([], p.s + 6, 0.2, 2), yz = ints(ty, [], p.s + 7), b = ints('int32', [M], p.s + 8);
      const [y] = runKernel('QLinearConv', [x, xs, xz, w, ws, wz, ys, yz, b], attrs);
      const acc = convIntegerRef(x.data, x.shape, w.data, w.shape, win, p.group, xz.data[0], wz.data);
      const P = prod(acc.shape.slice(2));
      const want = acc.data.map((v, i) => { const m = Math.floor(i / P) % M; return requantize(v + b.data[m], xs.data[0], ws.data[ws.data.length > 1 ? m : 0], ys.data[0], yz.data[0], ty); });
      expectEqual(y.data, want, p);
    }), { numRuns: RUNS });
  });
});

describe('MatMulNBits (com.microsoft, 4-bit)', () => {
  it('matches the reference for any block size, K not a multiple of it, with and without zero points and bias', () => {
    const problem = fc.record({ M: dim(9), K: fc.integer({ min: 1, max: 150 }), N: fc.integer({ min: 1, max: 9 }), G: fc.constantFrom(16, 32, 64, 128), zeros: fc.constantFrom('none', 'packed', 'float'), bias: fc.boolean(), constB: fc.boolean(), s: seed() });
    fc.assert(fc.property(problem, ({ M, K, N, G, zeros, bias, constB, s }) => {
      const blocks = Math.ceil(K / G);
      const a = f32([M, K], s, -2, 2), b = ints('uint8', [N, blocks, G / 2], s + 1), sc = f32([N * blocks], s + 2, -0.2, 0.2);
      const zPacked = ints('uint8', [N * Math.ceil(blocks / 2)], s + 3), zFloat = f32([N * blocks], s + 3, 0, 15);
      const z = zeros === 'packed' ? zPacked : zeros === 'float' ? zFloat : undefined;
      const zv = zeros === 'packed' ? Array.from({ length: N * blocks }, (_, i) => (zPacked.data[Math.floor(i / blocks) * Math.ceil(blocks / 2) + ((i % blocks) >> 1)] >> (((i % blocks) & 1) * 4)) & 15) : zeros === 'float' ? zFloat.data : undefined;
      const bi = bias ? f32([N], s + 4) : undefined;
      const [y] = runKernel('MatMulNBits', [a, b, sc, z, undefined, bi], { K, N, bits: 4, block_size: G }, { constants: constB ? [1, 2, 3] : [] });
      expect(y.shape).toEqual([M, N]);
      expectClose(y.data, matMulNBitsRef(a.data, M, K, N, G, b.data as Uint8Array, sc.data, zv, bi?.data), { M, K, N, G, zeros, bias, s }, { k: K });
    }), { numRuns: RUNS });
  });

  it('rejects other bit widths, bad block sizes and a B of the wrong shape', () => {
    const a = f32([2, 40], 1), b = ints('uint8', [3, 2, 16], 2), sc = f32([6], 3);
    expect(() => runKernel('MatMulNBits', [a, b, sc], { K: 40, N: 3, bits: 8, block_size: 32 })).toThrow(/'bits' = 8 is not supported/);
    expect(() => runKernel('MatMulNBits', [a, b, sc], { K: 40, N: 3, block_size: 24 })).toThrow(/power of 2 >= 16, got 24/);
    expect(() => runKernel('MatMulNBits', [a, ints('uint8', [3, 1, 16], 2), sc], { K: 40, N: 3, block_size: 32 })).toThrow(/B must have shape \[N, ceil\(K \/ block_size\), block_size \/ 2\] = \[3, 2, 16\]/);
  });
});
