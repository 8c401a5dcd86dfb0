import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { flattenShapeRef, reshapeShapeRef, squeezeShapeRef, unsqueezeShapeRef } from '../reference/reshape.js';
import { size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType } from '../../src/dtype.js';
import type { ValueType } from '../../src/ops/types.js';

const shapeArb = fc.array(dim(6), { minLength: 0, maxLength: 4 });
const dtypeArb = fc.constantFrom(...MOVE_DTYPES);
const ints = (...v: number[]) => ({ dtype: 'int64' as DType, shape: [v.length], data: Int32Array.from(v) });
const tensor = (dtype: DType, shape: number[], s = 1) => ({ dtype, shape, data: randomData(dtype, size(shape), s) });

/** An input shape and a target for it: dims regrouped, 1s inserted, then maybe a -1 and 0s. */
const reshapeCase = shapeArb.chain((inp) => fc.record({
  inp: fc.constant(inp),
  merge: fc.array(fc.boolean(), { minLength: inp.length, maxLength: inp.length }),
  ones: fc.array(fc.nat(4), { maxLength: 2 }),
  minus: fc.integer({ min: -1, max: 5 }),
  zeros: fc.boolean(),
})).map(({ inp, merge, ones, minus, zeros }) => {
  const out: number[] = [];
  inp.forEach((d, i) => { if (merge[i] && out.length) out[out.length - 1] *= d; else out.push(d); });
  for (const p of ones) out.splice(Math.min(p, out.length), 0, 1);
  // A 0 that is not a copy of the input's dim needs allowzero=1 (which then reads every 0 literally).
  const allowzero = out.some((d, i) => d === 0 && !(i < inp.length && inp[i] === 0));
  const target = out.map((d, i) => (zeros && !allowzero && i < inp.length && inp[i] === d ? 0 : d));
  if (minus >= 0 && minus < target.length && size(inp) > 0) target[minus] = -1;
  return { inp, target, allowzero };
});

describe('Reshape, Flatten, Unsqueeze, Squeeze, Identity, Dropout (copies) vs reference', () => {
  it('Reshape: 0 copies, -1 infers, data unchanged, every dtype', () => {
    fc.assert(fc.property(reshapeCase, dtypeArb, seed(), ({ inp, target, allowzero }, dtype, s) => {
      const x = tensor(dtype, inp, s);
      const [out] = runKernel('Reshape', [x, ints(...target)], { allowzero: allowzero ? 1 : 0 });
      expectEqual(out.shape, reshapeShapeRef(inp, target, allowzero), { inp, target, allowzero });
      expectEqual(out.data, x.data, { inp, target, dtype, s });
    }), { numRuns: RUNS });
  });

  it('Reshape allowzero=1 keeps a literal 0', () => {
    const [out] = runKernel('Reshape', [tensor('float32', [0, 3]), ints(3, 0)], { allowzero: 1 });
    expect(out.shape).toEqual([3, 0]);
  });

  it('Flatten at every axis', () => {
    fc.assert(fc.property(shapeArb, fc.integer({ min: -4, max: 4 }), dtypeArb, seed(), (inp, a, dtype, s) => {
      fc.pre(a >= -inp.length && a <= inp.length);
      const x = tensor(dtype, inp, s);
      const [out] = runKernel('Flatten', [x], { axis: a });
      expectEqual(out.shape, flattenShapeRef(inp, a), { inp, a });
      expectEqual(out.data, x.data, { inp, a, dtype });
    }), { numRuns: RUNS });
  });

  it('Unsqueeze with axes as input (negative axes too)', () => {
    const unsq = shapeArb.chain((inp) => fc.tuple(fc.constant(inp), fc.uniqueArray(fc.nat(inp.length + 2), { minLength: 1, maxLength: 3 }), fc.boolean()));
    fc.assert(fc.property(unsq, dtypeArb, seed(), ([inp, pos, neg], dtype, s) => {
      const r = inp.length + pos.length;
      fc.pre(pos.every((p) => p < r));
      const axes = pos.map((p) => (neg ? p - r : p));
      const x = tensor(dtype, inp, s);
      const [out] = runKernel('Unsqueeze', [x, ints(...axes)]);
      expectEqual(out.shape, unsqueezeShapeRef(inp, axes), { inp, axes });
      expectEqual(out.data, x.data, { inp, axes, dtype });
    }), { numRuns: RUNS });
  });

  it('Squeeze with and without axes', () => {
    const sq = fc.array(fc.constantFrom(0, 1, 1, 2, 3, 5), { maxLength: 5 }).chain((inp) =>
      fc.tuple(fc.constant(inp), fc.subarray(inp.flatMap((d, i) => (d === 1 ? [i] : []))), fc.boolean(), fc.boolean()));
    fc.assert(fc.property(sq, dtypeArb, seed(), ([inp, ones, all, neg], dtype, s) => {
      const axes = all ? undefined : ones.map((a) => (neg ? a - inp.length : a));
      const x = tensor(dtype, inp, s);
      const [out] = runKernel('Squeeze', axes ? [x, ints(...axes)] : [x]);
      // An empty axes list squeezes every 1, as onnxruntime does.
      expectEqual(out.shape, squeezeShapeRef(inp, axes?.length ? axes : undefined), { inp, axes });
      expectEqual(out.data, x.data, { inp, axes, dtype });
    }), { numRuns: RUNS });
  });

  it('Identity copies; Dropout passes through with an all-true mask', () => {
    fc.assert(fc.property(shapeArb, dtypeArb, seed(), (inp, dtype, s) => {
      const x = tensor(dtype, inp, s);
      expectEqual(runKernel('Identity', [x])[0].data, x.data, { inp, dtype });
      const [y, mask] = runKernel('Dropout', [x, { dtype: 'float32', shape: [], data: Float32Array.of(0.5) }]);
      expectEqual(y.data, x.data, { inp, dtype });
      expect(mask.dtype).toBe('bool');
      expectEqual(mask.data, new Uint8Array(size(inp)).fill(1), { inp });
    }), { numRuns: RUNS });
  });
});

describe('Reshape family: shape inference and errors', () => {
  const infer = (op: 'Reshape' | 'Squeeze' | 'Unsqueeze' | 'Flatten', inputs: (ValueType | undefined)[], raw = {}) =>
    (OPS[op].infer as (i: (ValueType | undefined)[], a: unknown) => ValueType[])(inputs, OPS[op].parse(raw));
  const shapeT = (...v: number[]): ValueType => ({ dtype: 'int64', shape: [v.length], value: Int32Array.from(v) });

  it('Reshape size mismatch names both shapes', () => {
    expect(() => runKernel('Reshape', [tensor('float32', [2, 3]), ints(4, 2)])).toThrow(/\[2, 3\] into \[4, 2\]/);
    expect(() => runKernel('Reshape', [tensor('float32', [2, 3]), ints(4, -1)])).toThrow(/\[2, 3\] into \[4, -1\]/);
  });
  it('Reshape rejects two -1s, negative dims, 0 past the input rank, 0 with -1 under allowzero', () => {
    expect(() => runKernel('Reshape', [tensor('float32', [2, 3]), ints(-1, -1)])).toThrow(/more than one -1/);
    expect(() => runKernel('Reshape', [tensor('float32', [2, 3]), ints(-2, 3)])).toThrow(/negative/);
    expect(() => runKernel('Reshape', [tensor('float32', [6]), ints(6, 0)])).toThrow(/copies an input dimension/);
    expect(() => runKernel('Reshape', [tensor('float32', [0, 3]), ints(0, -1)], { allowzero: 1 })).toThrow(/both 0 and -1/);
    expect(() => OPS.Reshape.parse({ allowzero: 2 })).toThrow(/allowzero/);
  });
  it('Reshape keeps symbols it can and gives ? dims of the right rank otherwise', () => {
    expect(infer('Reshape', [{ dtype: 'float32', shape: ['batch', 12, 64] }, shapeT(0, -1)])[0].shape).toEqual(['batch', 768]);
    expect(infer('Reshape', [{ dtype: 'float32', shape: ['batch', 12, 64] }, shapeT(-1, 12, 64)])[0].shape).toEqual(['batch', 12, 64]);
    expect(infer('Reshape', [{ dtype: 'float32', shape: ['b', 's', 768] }, shapeT(-1, 768)])[0].shape).toEqual(['?', 768]);
    expect(infer('Reshape', [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'int64', shape: [3] }])[0].shape).toEqual(['?', '?', '?']);
    expect(() => infer('Reshape', [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'float32', shape: [2] }])).toThrow(/shape must be int64/);
  });
  it('Flatten, Squeeze and Unsqueeze errors', () => {
    expect(() => runKernel('Flatten', [tensor('float32', [2, 3])], { axis: 3 })).toThrow(/axis' 3 is out of range/);
    expect(() => runKernel('Squeeze', [tensor('float32', [2, 3]), ints(1)])).toThrow(/axis 1 of shape \[2, 3\]: its size is 3/);
    expect(() => runKernel('Squeeze', [tensor('float32', [1, 3]), ints(2)])).toThrow(/out of range/);
    expect(() => runKernel('Unsqueeze', [tensor('float32', [2, 3]), ints(1, -3)])).toThrow(/same axis twice/);
    expect(() => runKernel('Unsqueeze', [tensor('float32', [2, 3]), ints(3, 4)])).toThrow(/out of range for rank 4/);
    expect(() => infer('Unsqueeze', [{ dtype: 'float32', shape: [2] }])).toThrow(/axes are required/);
    expect(infer('Unsqueeze', [{ dtype: 'float32', shape: [2] }], { axes: [0] })[0].shape).toEqual([1, 2]);
    expect(infer('Squeeze', [{ dtype: 'float32', shape: [1, 2, 1] }, shapeT()])[0].shape).toEqual([2]);
  });
  it('Dropout rejects training_mode=true', () => {
    const x = tensor('float32', [2]);
    expect(() => runKernel('Dropout', [x, undefined, { dtype: 'bool', shape: [], data: Uint8Array.of(1) }])).toThrow(/training_mode=true is not supported/);
    expect(runKernel('Dropout', [x, undefined, { dtype: 'bool', shape: [], data: Uint8Array.of(0) }])[0].data).toEqual(x.data);
  });
});
