import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { MOVE_DTYPES, randomData } from '../reference/kernel-data.js';
import { padRef } from '../reference/pad.js';
import { ref, size } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { DType, KernelData } from '../../src/dtype.js';

const ints = (v: number[]) => ({ dtype: 'int64' as DType, shape: [v.length], data: Int32Array.from(v) });
type Mode = 'constant' | 'reflect' | 'edge';

/** Shape, per-axis begin/end (negative crops), mode, and whether to name axes explicitly. */
const padCase = fc.array(dim(6), { minLength: 0, maxLength: 4 }).chain((shape) => fc.record({
  shape: fc.constant(shape),
  pads: fc.array(fc.tuple(fc.integer({ min: -2, max: 7 }), fc.integer({ min: -2, max: 7 })), { minLength: shape.length, maxLength: shape.length }),
  mode: fc.constantFrom<Mode>('constant', 'reflect', 'edge'),
  axes: fc.option(fc.shuffledSubarray(shape.map((_, i) => i))),
})).map(({ shape, pads, mode, axes }) => {
  // Keep sizes >= 0; reflect/edge need a non-empty axis to read from.
  const fixed = pads.map(([b, e], a) => {
    const d = shape[a];
    if (d === 0) return mode === 'constant' ? [Math.max(b, 0), Math.max(e, 0)] : [0, 0];
    return [Math.max(b, -d), Math.max(e, -d - Math.min(b, 0))];
  });
  const named = axes ?? shape.map((_, i) => i);
  const begin = shape.map((_, a) => (named.includes(a) ? fixed[a][0] : 0)), end = shape.map((_, a) => (named.includes(a) ? fixed[a][1] : 0));
  return { shape, mode, axes, begin, end, pads: [...named.map((a) => begin[a]), ...named.map((a) => end[a])] };
});

describe('Pad vs reference', () => {
  it('constant/reflect/edge, negative pads, explicit axes, every dtype', () => {
    fc.assert(fc.property(padCase, fc.constantFrom(...MOVE_DTYPES), seed(), ({ shape, mode, axes, begin, end, pads }, dtype, s) => {
      const x = randomData(dtype, size(shape), s);
      const cv = randomData(dtype, 1, s + 1);
      const inputs = [{ dtype, shape, data: x }, ints(pads), mode === 'constant' ? { dtype, shape: [], data: cv } : undefined, axes ? ints(axes) : undefined];
      const [out] = runKernel('Pad', axes ? inputs : inputs.slice(0, 3), { mode });
      const want = padRef(ref(shape, x), begin, end, mode, mode === 'constant' ? cv[0] : 0);
      const ctx = { shape, mode, axes, pads, dtype, s };
      expectEqual(out.shape, want.shape, ctx);
      expectEqual(out.data, want.data, ctx);
    }), { numRuns: RUNS * 2 });
  });

  it('constant_value defaults to 0; reflect bounces off both ends for pads longer than the axis', () => {
    const x = { dtype: 'float32' as DType, shape: [3], data: Float32Array.of(1, 2, 3) };
    expect(Array.from(runKernel('Pad', [x, ints([2, 1])])[0].data)).toEqual([0, 0, 1, 2, 3, 0]);
    expect(Array.from(runKernel('Pad', [x, ints([5, 4])], { mode: 'reflect' })[0].data)).toEqual([2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]);
    expect(Array.from(runKernel('Pad', [x, ints([2, 2])], { mode: 'edge' })[0].data as KernelData)).toEqual([1, 1, 1, 2, 3, 3, 3]);
  });

  it('errors: pads length, cropping below zero, reflecting an empty axis, bad mode, constant dtype', () => {
    const x = { dtype: 'float32' as DType, shape: [2, 3], data: new Float32Array(6) };
    expect(() => runKernel('Pad', [x, ints([1, 1])])).toThrow(/2 values per data axis \(4\), got 2/);
    expect(() => runKernel('Pad', [x, ints([0, -2, 0, -2])])).toThrow(/crop axis 1 of size 3 below zero/);
    expect(() => runKernel('Pad', [{ ...x, shape: [0, 3], data: new Float32Array(0) }, ints([1, 0, 0, 0])], { mode: 'reflect' })).toThrow(/reflect padding needs a non-empty axis/);
    expect(() => OPS.Pad.parse({ mode: 'wrap' })).toThrow(/'wrap' \(opset 19\) is not supported/);
    expect(() => OPS.Pad.parse({ mode: 'mirror' })).toThrow(/must be one of constant, reflect, edge/);
    expect(() => runKernel('Pad', [x, ints([0, 0, 0, 0]), { dtype: 'int32', shape: [], data: Int32Array.of(1) }])).toThrow(/constant_value must have the data's dtype float32/);
    expect(() => runKernel('Pad', [x, ints([0, 1, 1, 1]), undefined, ints([1, 1])])).toThrow(/axis 1 is padded twice/);
  });
});
