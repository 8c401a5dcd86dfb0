import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, randomInts, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { gatherRef } from '../reference/gather.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';

const gatherCase = fc.array(dim(6), { minLength: 1, maxLength: 4 }).chain((shape) => fc.tuple(
  fc.constant(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.array(dim(4), { minLength: 0, maxLength: 2 })));

describe('Gather vs reference', () => {
  it('any axis, negative indices, scalar and n-d indices, every dtype', () => {
    fc.assert(fc.property(gatherCase, fc.constantFrom(...MOVE_DTYPES), fc.constantFrom<DType>('int64', 'int32'), seed(), ([shape, axis, ishape], dtype, itype, s) => {
      const d = shape[axis < 0 ? axis + shape.length : axis];
      const n = size(ishape);
      fc.pre(d > 0 || n === 0);
      const x = randomData(dtype, size(shape), s), idx = randomInts(n, s + 1, -d, d - 1);
      const [out] = runKernel('Gather', [{ dtype, shape, data: x }, { dtype: itype, shape: ishape, data: idx }], { axis });
      const want = gatherRef(ref(shape, x), ref(ishape, idx), axis);
      expectEqual(out.shape, want.shape, { shape, axis, ishape });
      expectEqual(out.data, want.data, { shape, axis, ishape, dtype, s });
    }), { numRuns: RUNS });
  });

  it('an index out of range is a RangeError naming it and the valid range (at run time too)', () => {
    const x = { dtype: 'float32' as DType, shape: [5, 2], data: new Float32Array(10) };
    const bad = { dtype: 'int64' as DType, shape: [2], data: Int32Array.of(1, 5) };
    expect(() => runKernel('Gather', [x, bad])).toThrow(/index 5 is out of range for axis 0 of size 5; valid indices are -5..4/);
    // The kernel alone (indices not known at plan time) checks too.
    const k = CPU_KERNELS.Gather;
    const p = k.prepare!({ axis: 0 }, [x, bad], [{ dtype: 'float32', shape: [2, 2] }]);
    expect(() => k.run([x, { ...bad, data: Int32Array.of(-6, 0) }], p, [{ dtype: 'float32', shape: [2, 2], data: new Float32Array(4) }], new Float32Array(0)))
      .toThrow(RangeError);
  });

  it('errors: axis out of range, float indices, scalar data', () => {
    const x = { dtype: 'float32' as DType, shape: [5, 2], data: new Float32Array(10) };
    const i = { dtype: 'int64' as DType, shape: [1], data: Int32Array.of(0) };
    expect(() => runKernel('Gather', [x, i], { axis: 2 })).toThrow(/axis' 2 is out of range for rank 2/);
    expect(() => runKernel('Gather', [x, { ...i, dtype: 'float32', data: Float32Array.of(0) }])).toThrow(/indices must be int64 or int32/);
    expect(() => OPS.Gather.infer([{ dtype: 'float32', shape: [] }, { dtype: 'int64', shape: [] }], { axis: 0 })).toThrow(/rank >= 1/);
  });
});
