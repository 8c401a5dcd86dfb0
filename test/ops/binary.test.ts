import { describe, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { binaryRef } from '../reference/binary.js';
import { ref } from '../reference/tensor.js';
import type { OpName } from '../../src/ops/index.js';

/** Two shapes that broadcast: b takes a suffix of a's dims, each kept or set to 1. */
const broadcastPair = fc
  .array(dim(9), { minLength: 0, maxLength: 4 })
  .chain((a) => fc.tuple(fc.constant(a), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.integer({ min: 0, max: a.length }), fc.boolean()))
  .map(([a, ones, drop, swap]) => {
    const b = a.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
    return swap ? { a: b, b: a } : { a, b };
  });

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

describe('binary elementwise ops vs float64 reference', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min'] as OpName[]) {
    it(`${op} float32 with broadcasting`, () => {
      fc.assert(fc.property(broadcastPair, seed(), ({ a, b }, s) => {
        const A = randomFloats(size(a), s), B = randomFloats(size(b), s + 1, 0.5, 2); // B away from 0 for Div
        const [out] = runKernel(op, [{ dtype: 'float32', shape: a, data: A }, { dtype: 'float32', shape: b, data: B }]);
        const want = binaryRef(op, ref(a, A), ref(b, B));
        expectEqual(out.shape, want.shape, { op, a, b });
        expectClose(out.data, want.data, { op, a, b, seed: s });
      }), { numRuns: RUNS });
    });
  }

  it('Pow float32', () => {
    fc.assert(fc.property(broadcastPair, seed(), ({ a, b }, s) => {
      const A = randomFloats(size(a), s, 0.1, 3), B = randomFloats(size(b), s + 1, -2, 2);
      const [out] = runKernel('Pow', [{ dtype: 'float32', shape: a, data: A }, { dtype: 'float32', shape: b, data: B }]);
      expectClose(out.data, binaryRef('Pow', ref(a, A), ref(b, B)).data, { a, b, seed: s }, { rtol: 1e-5 });
    }), { numRuns: RUNS });
  });

  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Equal', 'Less', 'Greater'] as OpName[]) {
    it(`${op} int32/int64 is exact`, () => {
      fc.assert(fc.property(broadcastPair, seed(), fc.constantFrom('int32', 'int64' as const), ({ a, b }, s, dtype) => {
        const A = randomInts(size(a), s, -50, 50), B = randomInts(size(b), s + 1, 1, 9);
        const [out] = runKernel(op, [{ dtype, shape: a, data: A }, { dtype, shape: b, data: B }]);
        expectEqual(out.data, binaryRef(op, ref(a, A), ref(b, B), true).data, { op, a, b, seed: s });
      }), { numRuns: RUNS });
    });
  }

  for (const op of ['And', 'Or'] as OpName[]) {
    it(`${op} bool is exact`, () => {
      fc.assert(fc.property(broadcastPair, seed(), ({ a, b }, s) => {
        const A = Uint8Array.from(randomInts(size(a), s, 0, 1)), B = Uint8Array.from(randomInts(size(b), s + 1, 0, 1));
        const [out] = runKernel(op, [{ dtype: 'bool', shape: a, data: A }, { dtype: 'bool', shape: b, data: B }]);
        expectEqual(out.data, binaryRef(op, ref(a, A), ref(b, B)).data, { op, a, b, seed: s });
      }), { numRuns: RUNS });
    });
  }
});
