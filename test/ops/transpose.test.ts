import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { transposeRef } from '../reference/transpose.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';

const dtypeArb = fc.constantFrom(...MOVE_DTYPES);
/** A shape and a permutation of its axes (rank up to 5, so coalescing and the odometer both run). */
const shapePerm = fc.array(dim(7), { minLength: 0, maxLength: 5 }).chain((s) =>
  fc.tuple(fc.constant(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }), fc.boolean()));

describe('Transpose vs reference', () => {
  it('any permutation (or the default reverse), every dtype', () => {
    fc.assert(fc.property(shapePerm, dtypeArb, seed(), ([shape, perm, dflt], dtype, s) => {
      const x = randomData(dtype, size(shape), s);
      const [out] = runKernel('Transpose', [{ dtype, shape, data: x }], dflt ? {} : { perm });
      const want = transposeRef(ref(shape, x), dflt ? undefined : perm);
      expectEqual(out.shape, want.shape, { shape, perm, dflt });
      expectEqual(out.data, want.data, { shape, perm, dflt, dtype, s });
    }), { numRuns: RUNS });
  });

  it('large 2-D and NCHW->NHWC cross the 32x32 tiles', () => {
    for (const [shape, perm] of [[[67, 45], [1, 0]], [[2, 33, 9, 7], [0, 2, 3, 1]], [[3, 40, 1, 35], [3, 2, 0, 1]]] as [number[], number[]][]) {
      const x = randomData('float32', size(shape), 7);
      const [out] = runKernel('Transpose', [{ dtype: 'float32', shape, data: x }], { perm });
      expectEqual(out.data, transposeRef(ref(shape, x), perm).data, { shape, perm });
    }
  });

  it('rejects a perm that is not a permutation of the axes', () => {
    const x = { dtype: 'float32' as const, shape: [2, 3, 4], data: new Float32Array(24) };
    expect(() => runKernel('Transpose', [x], { perm: [0, 1] })).toThrow(/'perm' \[0, 1\] is not a permutation of 0..2/);
    expect(() => runKernel('Transpose', [x], { perm: [0, 1, 1] })).toThrow(/not a permutation/);
    expect(() => runKernel('Transpose', [x], { perm: [0, 1, 3] })).toThrow(/not a permutation/);
    expect(OPS.Transpose.infer([{ dtype: 'float32', shape: ['b', 3, 4] }], { perm: [2, 0, 1] })[0].shape).toEqual([4, 'b', 3]);
  });
});
