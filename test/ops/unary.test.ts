import { describe, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { unaryRef } from '../reference/unary.js';
import { ref } from '../reference/tensor.js';
import type { OpName } from '../../src/ops/index.js';

const shape = fc.array(dim(9), { minLength: 0, maxLength: 4 });
const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

/** Input ranges inside each op's domain (Sqrt/Log need positives). */
const RANGE: Partial<Record<OpName, [number, number]>> = { Sqrt: [0, 9], Log: [0.01, 9], Reciprocal: [0.1, 5], Exp: [-10, 10] };
const DEFAULTS: Partial<Record<OpName, { alpha: number; beta: number }>> = { HardSigmoid: { alpha: 0.2, beta: 0.5 }, LeakyRelu: { alpha: 0.01, beta: 0 } };

describe('unary elementwise ops vs float64 reference', () => {
  const ops: OpName[] = ['Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Softplus', 'HardSigmoid', 'HardSwish', 'LeakyRelu'];
  for (const op of ops) {
    it(`${op} float32`, () => {
      fc.assert(fc.property(shape, seed(), (s, sd) => {
        const [lo, hi] = RANGE[op] ?? [-6, 6];
        const X = randomFloats(size(s), sd, lo, hi);
        const [out] = runKernel(op, [{ dtype: 'float32', shape: s, data: X }]);
        const { alpha, beta } = DEFAULTS[op] ?? { alpha: 0, beta: 0 };
        expectClose(out.data, unaryRef(op, ref(s, X), alpha, beta).data, { op, shape: s, seed: sd }, { atol: 2e-6, rtol: 2e-6 });
      }), { numRuns: RUNS });
    });
  }

  it('LeakyRelu and HardSigmoid honour alpha/beta attributes', () => {
    fc.assert(fc.property(shape, seed(), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (s, sd, alpha, beta) => {
      const X = randomFloats(size(s), sd, -5, 5);
      for (const op of ['LeakyRelu', 'HardSigmoid'] as const) {
        const attrs: Record<string, number> = op === 'LeakyRelu' ? { alpha } : { alpha, beta };
        const [out] = runKernel(op, [{ dtype: 'float32', shape: s, data: X }], attrs);
        expectClose(out.data, unaryRef(op, ref(s, X), Math.fround(alpha), op === 'LeakyRelu' ? 0 : beta).data, { op, s, sd, alpha, beta }, { atol: 1e-6 });
      }
    }), { numRuns: RUNS });
  });

  it('Relu, Neg, Abs on int32 are exact; Not on bool', () => {
    fc.assert(fc.property(shape, seed(), (s, sd) => {
      const X = randomInts(size(s), sd, -100, 100);
      for (const op of ['Relu', 'Neg', 'Abs'] as const) {
        const [out] = runKernel(op, [{ dtype: 'int32', shape: s, data: X }]);
        expectEqual(out.data, unaryRef(op, ref(s, X)).data, { op, s, sd });
      }
      const B = Uint8Array.from(randomInts(size(s), sd, 0, 1));
      const [not] = runKernel('Not', [{ dtype: 'bool', shape: s, data: B }]);
      expectEqual(not.data, unaryRef('Not', ref(s, B)).data, { s, sd });
    }), { numRuns: RUNS });
  });
});
