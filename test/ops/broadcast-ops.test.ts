import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, randomInts, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { expandRef, tileRef, whereRef } from '../reference/expand.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';

const dtypeArb = fc.constantFrom(...MOVE_DTYPES);
const ints = (v: number[]) => ({ dtype: 'int64' as DType, shape: [v.length], data: Int32Array.from(v) });

/** n shapes that broadcast together: each a suffix of one base shape with some dims set to 1. */
const broadcastable = (n: number) => fc.array(dim(6), { minLength: 0, maxLength: 4 }).chain((base) =>
  fc.array(fc.tuple(fc.nat(base.length), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length })), { minLength: n, maxLength: n })
    .map((picks) => picks.map(([drop, ones]) => base.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))));

describe('Expand, Where, Tile vs reference', () => {
  it('Expand broadcasts both ways (a target 1 keeps the input dim), every dtype', () => {
    fc.assert(fc.property(broadcastable(2), dtypeArb, seed(), ([shape, target], dtype, s) => {
      const x = randomData(dtype, size(shape), s);
      const [out] = runKernel('Expand', [{ dtype, shape, data: x }, ints(target)]);
      const want = expandRef(ref(shape, x), target);
      expectEqual(out.shape, want.shape, { shape, target });
      expectEqual(out.data, want.data, { shape, target, dtype, s });
    }), { numRuns: RUNS });
  });

  it('Where broadcasts condition, X and Y', () => {
    fc.assert(fc.property(broadcastable(3), dtypeArb, seed(), ([cs, xs, ys], dtype, s) => {
      const c = Uint8Array.from(randomInts(size(cs), s, 0, 1)), x = randomData(dtype, size(xs), s + 1), y = randomData(dtype, size(ys), s + 2);
      const [out] = runKernel('Where', [{ dtype: 'bool', shape: cs, data: c }, { dtype, shape: xs, data: x }, { dtype, shape: ys, data: y }]);
      const want = whereRef(ref(cs, c), ref(xs, x), ref(ys, y));
      expectEqual(out.shape, want.shape, { cs, xs, ys });
      expectEqual(out.data, want.data, { cs, xs, ys, dtype, s });
    }), { numRuns: RUNS });
  });

  it('Tile repeats every axis', () => {
    const tileCase = fc.array(dim(5), { minLength: 0, maxLength: 4 }).chain((shape) =>
      fc.tuple(fc.constant(shape), fc.array(fc.nat(3), { minLength: shape.length, maxLength: shape.length })));
    fc.assert(fc.property(tileCase, dtypeArb, seed(), ([shape, reps], dtype, s) => {
      const x = randomData(dtype, size(shape), s);
      const [out] = runKernel('Tile', [{ dtype, shape, data: x }, ints(reps)]);
      const want = tileRef(ref(shape, x), reps);
      expectEqual(out.shape, want.shape, { shape, reps });
      expectEqual(out.data, want.data, { shape, reps, dtype, s });
    }), { numRuns: RUNS });
  });

  it('errors and shape inference', () => {
    const x = { dtype: 'float32' as DType, shape: [2, 3], data: new Float32Array(6) };
    expect(() => runKernel('Expand', [x, ints([4, 3, 4])])).toThrow(/cannot be broadcast/);
    expect(() => runKernel('Expand', [x, ints([2, -1])])).toThrow(/negative/);
    expect(() => runKernel('Where', [x, x, x])).toThrow(/condition must be bool/);
    expect(() => runKernel('Where', [{ dtype: 'bool', shape: [1], data: Uint8Array.of(1) }, x, { ...x, dtype: 'int32', data: new Int32Array(6) }])).toThrow(/same dtype/);
    expect(() => runKernel('Tile', [x, ints([2])])).toThrow(/one value per input axis \(2\), got 1/);
    expect(() => runKernel('Tile', [x, ints([2, -1])])).toThrow(/>= 0/);
    // Unknown target: the input's non-1 dims survive, the rest is unknown.
    expect(OPS.Expand.infer([{ dtype: 'float32', shape: ['b', 1, 3] }, { dtype: 'int64', shape: [4] }], {})[0].shape).toEqual(['?', '?', '?', 3]);
    expect(OPS.Tile.infer([{ dtype: 'float32', shape: ['b', 3] }, { dtype: 'int64', shape: [2], value: Int32Array.of(1, 2) }], {})[0].shape).toEqual(['b', 6]);
  });
});
