import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runQ } from './run-q.js';
import { dim, expectClose, expectEqual, randomFloats, RUNS, seed } from '../util/numerics.js';
import { qMatMulRef, type QWeight } from '../reference/quant.js';
import { activationRef } from '../reference/gemm.js';
import { quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { quantizeInt4Weight } from '../../src/quant/formats/int4.js';
import { Tensor } from '../../src/tensor.js';

const f32 = (shape: number[], s: number, lo = -1, hi = 1) => ({ dtype: 'float32' as const, shape, data: randomFloats(shape.reduce((a, b) => a * b, 1), s, lo, hi) });

function weight(format: 'int8' | 'int4', K: number, N: number, s: number, G: 32 | 64 | 128 = 32): QWeight {
  const w = new Tensor('float32', [K, N], randomFloats(K * N, s, -0.5, 0.5));
  return format === 'int8' ? quantizeInt8Weight(w, 1) : quantizeInt4Weight(w, 1, G);
}

const problem = fc.record({
  lead: fc.constantFrom<number[]>([], [2], [1, 3]), M: dim(19), K: fc.oneof(dim(17), fc.integer({ min: 28, max: 140 })), N: dim(13),
  format: fc.constantFrom('int8' as const, 'int4' as const), G: fc.constantFrom(32 as const, 64 as const, 128 as const),
  bias: fc.boolean(), s: seed(),
});

describe('QMatMul vs reference on the dequantized weights', () => {
  it('int8 input rows: integer accumulation matches the reference exactly (both weight formats)', () => {
    fc.assert(fc.property(problem, ({ lead, M, K, N, format, G, bias, s }) => {
      const a = f32([...lead, M, K], s, -3, 3), w = weight(format, K, N, s + 1, G), b = bias ? f32([N], s + 2) : undefined;
      const [y] = runQ('QMatMul', [a, { packed: w }, b], { input_quant: 'int8' });
      expect(y.shape).toEqual([...lead, M, N]);
      const rows = a.data.length / Math.max(1, K) || lead.reduce((x, z) => x * z, 1) * M;
      const want = qMatMulRef(a.data, rows, w, b?.data, 'int8');
      expectEqual(y.data, Float32Array.from(want), { lead, M, K, N, format, G, bias, s });
    }), { numRuns: RUNS });
  });

  it('float input rows: within float32 rounding of the reference', () => {
    fc.assert(fc.property(problem, ({ lead, M, K, N, format, G, bias, s }) => {
      const a = f32([...lead, M, K], s, -3, 3), w = weight(format, K, N, s + 1, G), b = bias ? f32([N], s + 2) : undefined;
      const [y] = runQ('QMatMul', [a, { packed: w }, b], { input_quant: 'none' });
      const rows = lead.reduce((x, z) => x * z, 1) * M;
      expectClose(y.data, qMatMulRef(a.data, rows, w, b?.data, 'none'), { lead, M, K, N, format, G, bias, s }, { k: K, atol: 1e-5, rtol: 1e-5 });
    }), { numRuns: RUNS });
  });

  it('applies the fused activation after the bias', () => {
    const kinds = [['Relu', 'relu'], ['Clip', 'clip'], ['Sigmoid', 'sigmoid'], ['SiLU', 'silu'], ['Gelu', 'gelu'], ['GeluTanh', 'gelu_tanh']] as const;
    for (const [name, kind] of kinds) for (const iq of ['none', 'int8'] as const) {
      const a = f32([5, 40], 3, -2, 2), w = weight('int4', 40, 6, 4), b = f32([6], 5);
      const params = name === 'Clip' ? [-0.2, 0.3] : undefined;
      const [y] = runQ('QMatMul', [a, { packed: w }, b], { input_quant: iq, activation: name, ...(params ? { activation_params: params } : {}) });
      const want = Array.from(qMatMulRef(a.data, 5, w, b.data, iq), (v) => activationRef(v, { kind, min: params?.[0], max: params?.[1] }));
      expectClose(y.data, want, { name, iq }, { k: 40 });
    }
  });

  it('stays exact past one SWAR chunk (K > 4096) and at the int8 extremes', () => {
    const K = 4100, M = 3, N = 5;
    const a = { dtype: 'float32' as const, shape: [M, K], data: new Float32Array(M * K).fill(1) };
    a.data[K] = -1; // row 1: mostly 1 with one -1 -> quantizes to +-127
    const w = quantizeInt8Weight(new Tensor('float32', [K, N], new Float32Array(K * N).fill(-1)), 1);
    const [y] = runQ('QMatMul', [a, { packed: w }], { input_quant: 'int8' });
    expectEqual(y.data, Float32Array.from(qMatMulRef(a.data, M, w, undefined, 'int8')), 'K=4100');
    expect(y.data[0]).toBeCloseTo(-K, 2);
  });

  it('rejects a plain (unquantized) weight and a weight of the wrong orientation before running', () => {
    const a = f32([2, 8], 1);
    expect(() => runQ('QMatMul', [a, f32([8, 3], 2)], {})).toThrow(/needs its weight \(input 1\) as a packed int8 or int4 initializer/);
    const rowsW = quantizeInt8Weight(new Tensor('float32', [8, 3], randomFloats(24, 1)), 0);
    expect(() => runQ('QMatMul', [a, { packed: rowsW }], {})).toThrow(/quantized along axis 1/);
    expect(() => runQ('QMatMul', [a, { packed: weight('int8', 8, 3, 1) }], { input_quant: 'int16' })).toThrow(/'input_quant' must be one of none, int8, got 'int16'/);
  });
});
