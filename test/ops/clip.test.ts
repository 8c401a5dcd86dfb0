import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel, type KernelInput } from '../util/run-kernel.js';
import { dim, expectEqual, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { clipRef } from '../reference/clip.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
const shape = fc.array(dim(9), { maxLength: 4 });
/** A bound: absent, or a scalar / one-element tensor, passed as a constant or as run-time data. */
const bound = fc.option(fc.record({ v: fc.integer({ min: -60, max: 60 }), rank1: fc.boolean() }), { nil: undefined });

function scalar(dtype: DType, v: number, rank1: boolean): KernelInput {
  const data = dtype === 'float32' ? Float32Array.of(v / 10) : dtype === 'int8' ? Int8Array.of(v) : Int32Array.of(v);
  return { dtype, shape: rank1 ? [1] : [], data };
}

describe('Clip vs reference (exact: it only selects values)', () => {
  it('float32, int32, int64, int8 with either bound absent, min > max included', () => {
    fc.assert(fc.property(shape, seed(), fc.constantFrom<DType>('float32', 'int32', 'int64', 'int8'), bound, bound, fc.boolean(),
      (s, sd, dtype, lo, hi, constant) => {
        const n = size(s);
        const X = dtype === 'float32' ? randomFloats(n, sd, -8, 8) : dtype === 'int8' ? Int8Array.from(randomInts(n, sd, -128, 127)) : randomInts(n, sd, -100, 100);
        if (dtype === 'float32' && n > 2) X[n >> 1] = NaN;
        const min = lo && scalar(dtype, lo.v, lo.rank1), max = hi && scalar(dtype, hi.v, hi.rank1);
        const inputs = max ? [{ dtype, shape: s, data: X }, min, max] : min ? [{ dtype, shape: s, data: X }, min] : [{ dtype, shape: s, data: X }];
        const [out] = runKernel('Clip', inputs, {}, { constants: constant ? [1, 2] : [] });
        expect(out.dtype).toBe(dtype);
        expectEqual(out.data, clipRef(ref(s, X), min?.data[0], max?.data[0]).data, { s, sd, dtype, lo, hi });
      }), { numRuns: RUNS });
  });
});

describe('Clip shape inference and errors', () => {
  it('works when min/max are computed values (no constant data)', () => {
    const [t] = OPS.Clip.infer([{ dtype: 'float32', shape: ['b', 3] }, { dtype: 'float32', shape: [] }, { dtype: 'float32', shape: [] }], {});
    expect(t).toEqual({ dtype: 'float32', shape: ['b', 3] });
    expect(OPS.Clip.infer([{ dtype: 'int32', shape: [2] }, undefined, { dtype: 'int32', shape: [1] }], {})[0].dtype).toBe('int32');
  });
  it('rejects non-scalar bounds, mismatched dtypes, bool input', () => {
    const x = { dtype: 'float32' as const, shape: [4] };
    expect(() => OPS.Clip.infer([x, { dtype: 'float32', shape: [2] }], {})).toThrow(/input min must be a scalar, got shape \[2\]/);
    expect(() => OPS.Clip.infer([x, undefined, { dtype: 'float32', shape: [1, 1] }], {})).toThrow(/input max must be a scalar/);
    expect(() => OPS.Clip.infer([x, { dtype: 'int32', shape: [] }], {})).toThrow(/input min must be float32 like the input, got int32/);
    expect(() => OPS.Clip.infer([{ dtype: 'bool', shape: [4] }], {})).toThrow(/input 'input' must be .*, got bool/);
    expect(() => runKernel('Clip', [{ dtype: 'float32', shape: [1], data: new Float32Array(1) }], { min: 0 })).toThrow(/unknown attribute 'min'; Clip takes no attributes/);
  });
});
