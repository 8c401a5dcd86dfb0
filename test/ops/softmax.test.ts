import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { softmaxRef } from '../reference/softmax.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
/** A shape of rank 1..4 and an axis in [-rank, rank). */
const shapeAndAxis = fc.array(dim(9), { minLength: 1, maxLength: 4 })
  .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 })));

describe('Softmax vs float64 reference', () => {
  it('any axis, rows and columns', () => {
    fc.assert(fc.property(shapeAndAxis, seed(), fc.boolean(), ([s, axis], sd, useDefault) => {
      const X = randomFloats(size(s), sd, -5, 5);
      const ax = useDefault ? -1 : axis;
      const [out] = runKernel('Softmax', [{ dtype: 'float32', shape: s, data: X }], useDefault ? {} : { axis });
      expectClose(out.data, softmaxRef(ref(s, X), ax).data, { s, ax, sd }, { k: s.at(ax)! });
    }), { numRuns: RUNS });
  });

  it('is numerically stable for large logits', () => {
    fc.assert(fc.property(shapeAndAxis, seed(), ([s, axis], sd) => {
      const X = randomFloats(size(s), sd, -500, 500);
      const [out] = runKernel('Softmax', [{ dtype: 'float32', shape: s, data: X }], { axis });
      for (const v of out.data) expect(Number.isFinite(v)).toBe(true);
      expectClose(out.data, softmaxRef(ref(s, X), axis).data, { s, axis, sd }, { k: s.at(axis)! });
    }), { numRuns: RUNS });
  });
});

describe('Softmax errors', () => {
  it('rejects a bad axis, scalars and integer input', () => {
    const p = (axis: number) => OPS.Softmax.parse({ axis });
    expect(() => OPS.Softmax.infer([{ dtype: 'float32', shape: [2, 3] }], p(2))).toThrow(/attribute axis 2 is out of range for rank 2/);
    expect(() => OPS.Softmax.infer([{ dtype: 'float32', shape: [2, 3] }], p(-3))).toThrow(/out of range/);
    expect(() => OPS.Softmax.infer([{ dtype: 'float32', shape: [] }], p(-1))).toThrow(/rank >= 1/);
    expect(() => OPS.Softmax.infer([{ dtype: 'int32', shape: [4] }], p(-1))).toThrow(/must be float32 or float16, got int32/);
    expect(OPS.Softmax.infer([{ dtype: 'float16', shape: ['b', 7] }], p(0))[0]).toEqual({ dtype: 'float16', shape: ['b', 7] });
  });
});
