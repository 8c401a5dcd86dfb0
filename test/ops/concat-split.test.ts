import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { concatRef, splitRef } from '../reference/concat.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';

const dtypeArb = fc.constantFrom(...MOVE_DTYPES);
const ints = (...v: number[]) => ({ dtype: 'int64' as DType, shape: [v.length], data: Int32Array.from(v) });

/** A base shape, an axis (maybe negative) and 1-4 sizes along it (zeros included). */
const axisCase = fc.array(dim(6), { minLength: 1, maxLength: 4 }).chain((s) => fc.tuple(
  fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.array(dim(7), { minLength: 1, maxLength: 4 })));

describe('Concat and Split vs reference', () => {
  it('Concat any number of inputs along any axis, every dtype', () => {
    fc.assert(fc.property(axisCase, dtypeArb, seed(), ([base, axis, sizes], dtype, s) => {
      const a = axis < 0 ? axis + base.length : axis;
      const xs = sizes.map((n, k) => {
        const shape = base.map((d, i) => (i === a ? n : d));
        return { dtype, shape, data: randomData(dtype, size(shape), s + k) };
      });
      const [out] = runKernel('Concat', xs, { axis });
      const want = concatRef(xs.map((x) => ref(x.shape, x.data)), axis);
      expectEqual(out.shape, want.shape, { base, axis, sizes });
      expectEqual(out.data, want.data, { base, axis, sizes, dtype, s });
    }), { numRuns: RUNS });
  });

  it('Split by sizes (input), by num_outputs, and by the old split attribute', () => {
    fc.assert(fc.property(axisCase, dtypeArb, seed(), fc.constantFrom('input', 'attr'), ([base, axis, sizes], dtype, s, how) => {
      const a = axis < 0 ? axis + base.length : axis;
      const shape = base.map((d, i) => (i === a ? sizes.reduce((p, q) => p + q, 0) : d));
      const x = { dtype, shape, data: randomData(dtype, size(shape), s) };
      const outs = how === 'input' ? runKernel('Split', [x, ints(...sizes)], { axis }) : runKernel('Split', [x], { axis, split: sizes });
      const want = splitRef(ref(shape, x.data), axis, sizes);
      expect(outs.length).toBe(sizes.length);
      outs.forEach((o, k) => {
        expectEqual(o.shape, want[k].shape, { shape, axis, sizes, k });
        expectEqual(o.data, want[k].data, { shape, axis, sizes, k, dtype });
      });
    }), { numRuns: RUNS });
  });

  it('Split num_outputs: equal chunks, the last one smaller', () => {
    const x = { dtype: 'int32' as DType, shape: [7, 2], data: randomData('int32', 14, 3) };
    const outs = runKernel('Split', [x], { num_outputs: 3 });
    expect(outs.map((o) => o.shape)).toEqual([[3, 2], [3, 2], [1, 2]]);
    expectEqual(outs.flatMap((o) => Array.from(o.data)), x.data, {});
  });

  it('Concat errors: rank, dims off the axis, dtype, axis range', () => {
    const f = (shape: number[], dtype: DType = 'float32') => ({ dtype, shape, data: randomData(dtype, size(shape), 1) });
    expect(() => runKernel('Concat', [f([2, 3]), f([2, 3, 1])], { axis: 0 })).toThrow(/same rank: input 0 is \[2, 3\], input 1 is \[2, 3, 1\]/);
    expect(() => runKernel('Concat', [f([2, 3]), f([2, 4])], { axis: 0 })).toThrow(/differ outside axis 0.*\[2, 4\] \(dimension 1\)/);
    expect(() => runKernel('Concat', [f([2, 3]), f([2, 3], 'int32')], { axis: 0 })).toThrow(/one dtype/);
    expect(() => runKernel('Concat', [f([2, 3])], { axis: 2 })).toThrow(/axis' 2 is out of range for rank 2/);
    expect(() => runKernel('Concat', [f([2])])).toThrow(/'axis' \(int\) is required/);
    expect(OPS.Concat.infer([{ dtype: 'float32', shape: ['b', 3] }, { dtype: 'float32', shape: [2, 4] }], { axis: 1 })[0].shape).toEqual([2, 7]);
  });

  it('Split errors: sizes that do not add up, nothing to split by', () => {
    const x = { dtype: 'float32' as DType, shape: [5, 2], data: new Float32Array(10) };
    expect(() => runKernel('Split', [x, ints(2, 2)])).toThrow(/add up to 4, but axis 0 of \[5, 2\] has size 5/);
    expect(() => runKernel('Split', [x])).toThrow(/num_outputs/);
    expect(() => OPS.Split.parse({ num_outputs: 0 })).toThrow(/num_outputs' must be >= 1/);
  });
});
