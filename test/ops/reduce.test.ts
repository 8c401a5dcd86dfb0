import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel, type KernelInput } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { reduceRef } from '../reference/reduce.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import { reduceSum } from '../../kernels/cpu/reduce.js';
import type { DType } from '../../src/dtype.js';

const OPS_ = ['ReduceSum', 'ReduceMean', 'ReduceMax'] as const;
const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

/** A shape (rank 0..4), a subset of its axes (some written negative), and how they are passed. */
const problem = fc.array(dim(7), { maxLength: 4 }).chain((s) => fc.record({
  s: fc.constant(s),
  axes: fc.subarray(s.map((_, i) => i)).chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - s.length)))),
  keepdims: fc.boolean(),
  noop: fc.boolean(),
  asInput: fc.boolean(),
  sd: seed(),
}));

function run(op: (typeof OPS_)[number], x: KernelInput, axes: number[], keepdims: boolean, noop: boolean, asInput: boolean) {
  const raw = { keepdims: +keepdims, noop_with_empty_axes: +noop, ...(asInput || !axes.length ? {} : { axes }) };
  const inputs = asInput ? [x, { dtype: 'int64' as const, shape: [axes.length], data: Int32Array.from(axes) }] : [x];
  return runKernel(op, inputs, raw, { constants: [1] })[0];
}

describe('ReduceSum / ReduceMean / ReduceMax vs float64 reference', () => {
  for (const op of OPS_) {
    it(`${op} float32: axes as attribute or input, keepdims, noop_with_empty_axes`, () => {
      fc.assert(fc.property(problem, ({ s, axes, keepdims, noop, asInput, sd }) => {
        const X = randomFloats(size(s), sd, -2, 2);
        const out = run(op, { dtype: 'float32', shape: s, data: X }, axes, keepdims, noop, asInput);
        const want = reduceRef(op, ref(s, X), axes, keepdims, noop);
        expect(out.shape).toEqual(want.shape);
        expectClose(out.data, want.data, { op, s, axes, keepdims, noop, asInput, sd }, { k: Math.max(1, size(s) / Math.max(1, want.data.length)) });
      }), { numRuns: RUNS });
    });

    it(`${op} int32/int64 is exact`, () => {
      fc.assert(fc.property(problem, fc.constantFrom<DType>('int32', 'int64'), ({ s, axes, keepdims, noop, asInput, sd }, dtype) => {
        const X = randomInts(size(s), sd, -1000, 1000);
        const out = run(op, { dtype, shape: s, data: X }, axes, keepdims, noop, asInput);
        const want = reduceRef(op, ref(s, X), axes, keepdims, noop, true).data.map((v) => (v === -Infinity ? -2147483648 : v));
        expectEqual(out.data, want, { op, s, axes, keepdims, noop, asInput, sd, dtype });
      }), { numRuns: RUNS });
    });
  }

  it('ReduceMax on int8/uint8 is exact; empty reductions give the type minimum', () => {
    fc.assert(fc.property(problem, fc.constantFrom<DType>('int8', 'uint8'), ({ s, axes, keepdims, sd }, dtype) => {
      const X = dtype === 'int8' ? Int8Array.from(randomInts(size(s), sd, -128, 127)) : Uint8Array.from(randomInts(size(s), sd, 0, 255));
      const out = run('ReduceMax', { dtype, shape: s, data: X }, axes, keepdims, false, false);
      const lowest = dtype === 'int8' ? -128 : 0;
      expectEqual(out.data, reduceRef('ReduceMax', ref(s, X), axes, keepdims).data.map((v) => (v === -Infinity ? lowest : v)), { s, axes, dtype, sd });
    }), { numRuns: RUNS });
  });

  it('ReduceMax propagates NaN; empty float reductions give 0, NaN and -Infinity', () => {
    const X = Float32Array.from([1, NaN, 3, 4, 5, 6]);
    expectEqual(run('ReduceMax', { dtype: 'float32', shape: [2, 3], data: X }, [1], false, false, false).data, [NaN, 6], 'nan');
    expectEqual(run('ReduceMax', { dtype: 'float32', shape: [3, 2], data: X }, [0], false, false, false).data, [5, NaN], 'nan col');
    const E = { dtype: 'float32' as const, shape: [2, 0], data: new Float32Array(0) };
    expectEqual(run('ReduceSum', E, [1], false, false, true).data, [0, 0], 'sum');
    expectEqual(run('ReduceMean', E, [1], false, false, true).data, [NaN, NaN], 'mean');
    expectEqual(run('ReduceMax', E, [1], false, false, false).data, [-Infinity, -Infinity], 'max');
  });
});

describe('Reduce shape inference and errors', () => {
  const x = { dtype: 'float32' as const, shape: ['b', 4, 5] };
  const axesT = (value?: number[], n: number | string = value?.length ?? 2) => ({ dtype: 'int64' as const, shape: [n], ...(value ? { value: Int32Array.from(value) } : {}) });
  it('reads constant axes at plan time and degrades to ? dims when they are unknown', () => {
    const keep = OPS.ReduceSum.parse({}), drop = OPS.ReduceSum.parse({ keepdims: 0 });
    expect(OPS.ReduceSum.infer([x, axesT([-1])], drop)[0].shape).toEqual(['b', 4]);
    expect(OPS.ReduceMean.infer([x], OPS.ReduceMean.parse({ axes: [0, 2] }))[0].shape).toEqual([1, 4, 1]);
    expect(OPS.ReduceSum.infer([x, axesT()], keep)[0].shape).toEqual(['?', '?', '?']);
    expect(OPS.ReduceSum.infer([x, axesT()], drop)[0].shape).toEqual(['?']);
    expect(OPS.ReduceSum.infer([x, axesT([])], OPS.ReduceSum.parse({ noop_with_empty_axes: 1 }))[0].shape).toEqual(['b', 4, 5]);
    expect(OPS.ReduceMax.infer([x], drop)[0].shape).toEqual([]);
    expect(() => OPS.ReduceSum.infer([x, axesT(undefined, 'n')], drop)).toThrow(/axes input must be a constant or at least have a known length/);
  });
  it('rejects bad axes, dtypes and attributes', () => {
    expect(() => OPS.ReduceMax.infer([x], OPS.ReduceMax.parse({ axes: [3] }))).toThrow(/axes entry 3 is out of range for rank 3/);
    expect(() => OPS.ReduceMax.infer([x], OPS.ReduceMax.parse({ axes: [1, -2] }))).toThrow(/name the same axis twice/);
    expect(() => OPS.ReduceSum.infer([x, axesT([1])], OPS.ReduceSum.parse({ axes: [1] }))).toThrow(/both as the 'axes' attribute and as input 1/);
    expect(() => OPS.ReduceSum.infer([x, { dtype: 'float32', shape: [1], value: new Float32Array([1]) }], OPS.ReduceSum.parse({}))).toThrow(/input axes must be int64 or int32, got float32/);
    expect(() => OPS.ReduceSum.infer([x, { dtype: 'int64', shape: [1, 1] }], OPS.ReduceSum.parse({}))).toThrow(/input axes must be 1-D/);
    expect(() => OPS.ReduceMean.infer([{ dtype: 'bool', shape: [2] }], OPS.ReduceMean.parse({}))).toThrow(/input data must be .*, got bool/);
    expect(() => OPS.ReduceMean.parse({ keepdims: 2 })).toThrow(/attribute 'keepdims' must be 0 or 1, got 2/);
  });
  it('the kernel refuses an axes input it cannot see at plan time', () => {
    const attrs = OPS.ReduceSum.parse({});
    expect(() => reduceSum.prepare!(attrs, [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'int64', shape: [1] }], [])).toThrow(/axes input must be known when the plan is made/);
  });
});
