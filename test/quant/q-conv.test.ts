import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runQ } from './run-q.js';
import { expectClose, expectEqual, randomFloats, RUNS, seed } from '../util/numerics.js';
import { qConvRef, type QWeight } from '../reference/quant.js';
import { refActivation } from '../reference/conv.js';
import { quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { quantizeInt4Weight } from '../../src/quant/formats/int4.js';
import { Tensor } from '../../src/tensor.js';

const f32 = (shape: number[], s: number, lo = -1, hi = 1) => ({ dtype: 'float32' as const, shape, data: randomFloats(shape.reduce((a, b) => a * b, 1), s, lo, hi) });

function weight(format: 'int8' | 'int4', shape: number[], s: number): QWeight {
  const w = new Tensor('float32', shape, randomFloats(shape.reduce((a, b) => a * b, 1), s, -0.5, 0.5));
  return format === 'int8' ? quantizeInt8Weight(w, 0) : quantizeInt4Weight(w, 0, 32);
}

const problem = fc.record({
  N: fc.integer({ min: 0, max: 2 }), group: fc.constantFrom(1, 1, 2, 3), Cg: fc.integer({ min: 1, max: 12 }), Mg: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }), KH: fc.integer({ min: 1, max: 3 }), KW: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), dil: fc.integer({ min: 1, max: 2 }),
  format: fc.constantFrom('int8' as const, 'int4' as const), bias: fc.boolean(), s: seed(),
}).filter((p) => p.H + 2 * p.pad >= (p.KH - 1) * p.dil + 1 && p.W + 2 * p.pad >= (p.KW - 1) * p.dil + 1);

type Problem = typeof problem extends fc.Arbitrary<infer T> ? T : never;

function setup(p: Problem, depthwise = false) {
  const C = depthwise ? p.group * 1 : p.group * p.Cg, M = depthwise ? p.group : p.group * p.Mg, Cg = depthwise ? 1 : p.Cg;
  const x = f32([p.N, C, p.H, p.W], p.s, -2, 2), w = weight(p.format, [M, Cg, p.KH, p.KW], p.s + 1), b = p.bias ? f32([M], p.s + 2) : undefined;
  const attrs = { group: p.group, strides: [p.stride, p.stride], pads: [p.pad, p.pad, p.pad, p.pad], dilations: [p.dil, p.dil] };
  const win = { kernel: [p.KH, p.KW], strides: attrs.strides, pads: attrs.pads, dilations: attrs.dilations };
  return { x, w, b, attrs, win };
}

describe('QConv vs reference on the dequantized weights', () => {
  it('int8 patch rows: integer accumulation matches the reference exactly', () => {
    const notDepthwise = problem.filter((p) => !(p.group > 1 && p.Cg === 1 && p.Mg === 1));
    fc.assert(fc.property(notDepthwise, (p) => {
      const { x, w, b, attrs, win } = setup(p);
      const [y] = runQ('QConv', [x, { packed: w }, b], { ...attrs, input_quant: 'int8' });
      const want = qConvRef(x.data, x.shape, w, b?.data, win, p.group, 'int8');
      expect(y.shape).toEqual(want.shape);
      expectEqual(y.data, Float32Array.from(want.data), p);
    }), { numRuns: RUNS });
  });

  it('float patch rows: within float32 rounding', () => {
    fc.assert(fc.property(problem, (p) => {
      const { x, w, b, attrs, win } = setup(p);
      const [y] = runQ('QConv', [x, { packed: w }, b], { ...attrs, input_quant: 'none' });
      const K = p.Cg * p.KH * p.KW;
      expectClose(y.data, qConvRef(x.data, x.shape, w, b?.data, win, p.group, 'none').data, p, { k: K });
    }), { numRuns: RUNS });
  });

  it('depthwise convs compute in float on the dequantized weights (input_quant has no effect)', () => {
    fc.assert(fc.property(problem.filter((p) => p.group > 1), (p) => {
      const { x, w, b, attrs, win } = setup(p, true);
      const want = qConvRef(x.data, x.shape, w, b?.data, win, p.group, 'none').data;
      for (const iq of ['none', 'int8']) {
        const [y] = runQ('QConv', [x, { packed: w }, b], { ...attrs, input_quant: iq });
        expectClose(y.data, want, { ...p, iq }, { k: p.KH * p.KW });
      }
    }), { numRuns: RUNS });
  });

  it('applies bias and activation (ReLU6 as Clip 0..6) in the epilogue', () => {
    const p: Problem = { N: 1, group: 1, Cg: 5, Mg: 4, H: 6, W: 5, KH: 3, KW: 3, stride: 1, pad: 1, dil: 1, format: 'int8' as const, bias: true, s: 9 };
    const { x, w, b, attrs, win } = setup(p);
    for (const iq of ['none', 'int8'] as const) {
      const [y] = runQ('QConv', [x, { packed: w }, b], { ...attrs, input_quant: iq, activation: 'Clip', activation_params: [0, 0.5] });
      const want = Array.from(qConvRef(x.data, x.shape, w, b!.data, win, 1, iq).data, (v) => refActivation(v, { kind: 'clip', min: 0, max: 0.5 }));
      expectClose(y.data, want, iq, { k: 45 });
    }
  });

  it('checks the packed weight against the conv at plan time', () => {
    const x = f32([1, 4, 5, 5], 1);
    const w = quantizeInt8Weight(new Tensor('float32', [3, 4], randomFloats(12, 2)), 1);
    expect(() => runQ('QConv', [x, { packed: w }], {})).toThrow();
  });
});
