import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { sliceRef } from '../reference/slice.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';
import type { ValueType } from '../../src/ops/types.js';

const I32_MAX = 2147483647, I32_MIN = -2147483648;
const ints = (v: number[]) => ({ dtype: 'int64' as DType, shape: [v.length], data: Int32Array.from(v) });
const bound = fc.oneof(fc.integer({ min: -9, max: 9 }), fc.constantFrom(I32_MAX, I32_MIN, -I32_MAX));

/** Shape, the sliced axes (some order, maybe negative), a start/end/step each; axes or steps maybe omitted. */
const sliceCase = fc.array(dim(7), { minLength: 1, maxLength: 4 }).chain((shape) => {
  const r = shape.length;
  return fc.record({
    shape: fc.constant(shape),
    axes: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: 1 }),
    neg: fc.boolean(),
    bounds: fc.array(fc.tuple(bound, bound, fc.constantFrom(-3, -2, -1, 1, 1, 2, 3)), { minLength: r, maxLength: r }),
    omitAxes: fc.boolean(),
    omitSteps: fc.boolean(),
  });
}).map(({ shape, axes, neg, bounds, omitAxes, omitSteps }) => {
  const ax = omitAxes ? axes.map((_, i) => i) : axes.map((a) => (neg ? a - shape.length : a));
  const b = ax.map((_, k) => bounds[k]);
  return { shape, starts: b.map((t) => t[0]), ends: b.map((t) => t[1]), axes: omitAxes ? undefined : ax, steps: omitSteps ? undefined : b.map((t) => t[2]) };
});

describe('Slice vs reference', () => {
  it('starts/ends/axes/steps with negatives, reversal and clamped extremes, every dtype', () => {
    fc.assert(fc.property(sliceCase, fc.constantFrom(...MOVE_DTYPES), seed(), ({ shape, starts, ends, axes, steps }, dtype, s) => {
      const x = randomData(dtype, size(shape), s);
      const inputs = [{ dtype, shape, data: x }, ints(starts), ints(ends), axes ? ints(axes) : undefined, steps ? ints(steps) : undefined];
      const [out] = runKernel('Slice', steps ? inputs : inputs.slice(0, axes ? 4 : 3));
      const want = sliceRef(ref(shape, x), starts, ends, axes, steps);
      const ctx = { shape, starts, ends, axes, steps, dtype, s };
      expectEqual(out.shape, want.shape, ctx);
      expectEqual(out.data, want.data, ctx);
    }), { numRuns: RUNS * 3 });
  });

  it('runs with dynamic starts/ends (resolved in run, not prepare)', () => {
    // runKernel gives infer the values but prepare sees no constants: the kernel reads them in run.
    const x = randomData('float32', 60, 2);
    const [out] = runKernel('Slice', [{ dtype: 'float32', shape: [3, 4, 5], data: x }, ints([1, -1]), ints([I32_MAX, 0]), ints([0, 2]), ints([1, -2])]);
    expectEqual(out.data, sliceRef(ref([3, 4, 5], x), [1, -1], [I32_MAX, 0], [0, 2], [1, -2]).data, {});
  });

  it('errors: zero step, repeated axis, axis out of range, length mismatch', () => {
    const x = { dtype: 'float32' as DType, shape: [4, 4], data: new Float32Array(16) };
    expect(() => runKernel('Slice', [x, ints([0]), ints([2]), ints([0]), ints([0])])).toThrow(/step for axis 0 is 0/);
    expect(() => runKernel('Slice', [x, ints([0, 0]), ints([2, 2]), ints([1, -1])])).toThrow(/axis -1 is sliced twice/);
    expect(() => runKernel('Slice', [x, ints([0]), ints([2]), ints([2])])).toThrow(/axis 2 is out of range for rank 2/);
    expect(() => runKernel('Slice', [x, ints([0, 1]), ints([2])])).toThrow(/one length, got 2, 1/);
  });

  it('shape inference: symbols taken whole survive, unknown bounds give ?', () => {
    const x: ValueType = { dtype: 'float32', shape: ['b', 'seq', 8] };
    const v = (a: number[]): ValueType => ({ dtype: 'int64', shape: [a.length], value: Int32Array.from(a) });
    const infer = (ins: (ValueType | undefined)[]) => OPS.Slice.infer(ins, {})[0].shape;
    expect(infer([x, v([0, 2]), v([I32_MAX, 6]), v([0, 2])])).toEqual(['b', 'seq', 4]);
    expect(infer([x, v([1]), v([I32_MAX]), v([1])])).toEqual(['b', '?', 8]);
    expect(infer([x, { dtype: 'int64', shape: [1] }, v([3]), v([2])])).toEqual(['b', 'seq', '?']);
    expect(infer([x, { dtype: 'int64', shape: [1] }, v([3])])).toEqual(['?', '?', '?']);
  });
});
