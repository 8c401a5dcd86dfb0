import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, expectEqual, posDim, randomFloats, randomInts, RUNS, seed } from '../util/numerics.js';
import { globalPoolRef, poolRef, type PoolRefResult } from '../reference/pool.js';
import type { RefWindow } from '../reference/conv.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { RawAttrs, ValueType } from '../../src/ops/types.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
type AutoPad = NonNullable<RefWindow['autoPad']>;

/** A random 1-D or 2-D pool whose window fits its (possibly padded) input. */
const poolCase = fc.record({
  rank: fc.constantFrom(1, 2), N: dim(3), C: dim(4),
  kernel: fc.array(posDim(4), { minLength: 2, maxLength: 2 }),
  strides: fc.array(posDim(3), { minLength: 2, maxLength: 2 }),
  dilations: fc.array(fc.constantFrom(1, 1, 2, 3), { minLength: 2, maxLength: 2 }),
  pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  extra: fc.array(dim(8), { minLength: 2, maxLength: 2 }),
  autoPad: fc.constantFrom<AutoPad>('NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
  ceilMode: fc.boolean(), countIncludePad: fc.boolean(), columnMajor: fc.boolean(), seed: seed(),
}).map((c) => {
  const r = c.rank, kernel = c.kernel.slice(0, r), strides = c.strides.slice(0, r), dilations = c.dilations.slice(0, r);
  const pads = [...c.pads.slice(0, r), ...c.pads.slice(2, 2 + r)];
  const eff = c.autoPad === 'NOTSET' ? pads : pads.map(() => 0);
  const spatial = kernel.map((k, i) => Math.max(0, (k - 1) * dilations[i] + 1 - eff[i] - eff[i + r]) + c.extra[i]);
  const win: RefWindow = { kernel, strides, dilations, pads, autoPad: c.autoPad, ceilMode: c.ceilMode };
  const raw: RawAttrs = {
    kernel_shape: kernel, strides, dilations, auto_pad: c.autoPad, ceil_mode: c.ceilMode ? 1 : 0,
    ...(c.autoPad === 'NOTSET' ? { pads } : {}),
  };
  return { ...c, xs: [c.N, c.C, ...spatial], win, raw };
});

describe('pools vs float64 reference', () => {
  it('AveragePool: strides, pads, auto_pad, ceil_mode, count_include_pad, dilations', () => {
    fc.assert(fc.property(poolCase, (c) => {
      const X = randomFloats(size(c.xs), c.seed, -4, 4);
      const [out] = runKernel('AveragePool', [{ dtype: 'float32', shape: c.xs, data: X }], { ...c.raw, count_include_pad: c.countIncludePad ? 1 : 0 });
      const want = poolRef(ref(c.xs, X), 'avg', c.win, { countIncludePad: c.countIncludePad });
      expect(out.shape).toEqual(want.y.shape);
      expectClose(out.data, want.y.data, c, { k: size(c.win.kernel) });
    }), { numRuns: RUNS });
  });

  it('MaxPool float32 and float16, values and Indices (both storage orders)', () => {
    fc.assert(fc.property(poolCase, fc.constantFrom('float32', 'float16' as const), (c, dtype) => {
      const X = randomFloats(size(c.xs), c.seed, -4, 4);
      const [y, ind] = runKernel('MaxPool', [{ dtype, shape: c.xs, data: X }], { ...c.raw, storage_order: c.columnMajor ? 1 : 0 });
      const want: PoolRefResult = poolRef(ref(c.xs, X), 'max', c.win, { columnMajor: c.columnMajor });
      expect(y.shape).toEqual(want.y.shape);
      expect(ind.dtype).toBe('int64');
      expectEqual(y.data, want.y.data, c);
      expectEqual(ind.data, want.indices, c);
    }), { numRuns: RUNS });
  });

  it('MaxPool int8 and uint8 are exact', () => {
    fc.assert(fc.property(poolCase, fc.constantFrom('int8', 'uint8' as const), (c, dtype) => {
      const ints = randomInts(size(c.xs), c.seed, dtype === 'int8' ? -128 : 0, dtype === 'int8' ? 127 : 255);
      const X = dtype === 'int8' ? Int8Array.from(ints) : Uint8Array.from(ints);
      const [y] = runKernel('MaxPool', [{ dtype, shape: c.xs, data: X }], c.raw);
      expectEqual(y.data, poolRef(ref(c.xs, X), 'max', c.win, { lowest: dtype === 'int8' ? -128 : 0 }).y.data, c);
    }), { numRuns: RUNS });
  });

  it('GlobalAveragePool and GlobalMaxPool over rank 3 to 5', () => {
    const shape = fc.array(dim(6), { minLength: 3, maxLength: 5 });
    fc.assert(fc.property(shape, seed(), (xs, s) => {
      const X = randomFloats(size(xs), s, -4, 4);
      const [avg] = runKernel('GlobalAveragePool', [{ dtype: 'float32', shape: xs, data: X }]);
      const [max] = runKernel('GlobalMaxPool', [{ dtype: 'float32', shape: xs, data: X }]);
      const wa = globalPoolRef(ref(xs, X), 'avg'), wm = globalPoolRef(ref(xs, X), 'max');
      expect(avg.shape).toEqual(wa.shape);
      expectClose(avg.data, wa.data, { xs, s }, { k: size(xs.slice(2)) });
      expectEqual(max.data, wm.data, { xs, s });
    }), { numRuns: RUNS });
  });

  it('ceil_mode drops a last window that would start in the trailing padding', () => {
    // size 5, kernel 2, stride 2, pads 0/1: ceil gives 4 windows, but the 4th would start at 6 > 5.
    const [y] = runKernel('MaxPool', [{ dtype: 'float32', shape: [1, 1, 5], data: Float32Array.of(1, 2, 3, 4, 5) }],
      { kernel_shape: [2], strides: [2], pads: [0, 1], ceil_mode: 1 });
    expect(y.shape).toEqual([1, 1, 3]);
    expect(Array.from(y.data)).toEqual([2, 4, 5]);
  });
});

describe('pool schemas', () => {
  const f = (shape: (number | string)[], dtype: ValueType['dtype'] = 'float32'): ValueType => ({ dtype, shape });

  it('infers shapes, symbols included', () => {
    const mp = OPS.MaxPool, ap = OPS.AveragePool;
    expect(mp.infer([f(['N', 64, 112, 112])], mp.parse({ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }))[0].shape).toEqual(['N', 64, 56, 56]);
    expect(ap.infer([f([1, 2, 'h', 'w'])], ap.parse({ kernel_shape: [3, 3], auto_pad: 'SAME_LOWER' }))[0].shape).toEqual([1, 2, 'h', 'w']);
    expect(ap.infer([f([1, 2, 'h', 9])], ap.parse({ kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }))[0].shape).toEqual([1, 2, '?', 5]);
    expect(OPS.GlobalAveragePool.infer([f(['N', 7, 'h', 'w'])], {})[0].shape).toEqual(['N', 7, 1, 1]);
    expect(OPS.GlobalMaxPool.infer([f([2, 3, 4, 5, 6])], {})[0].shape).toEqual([2, 3, 1, 1, 1]);
  });

  it('rejects bad attributes and inputs naming what was expected and what came', () => {
    expect(() => OPS.MaxPool.parse({})).toThrow(/'kernel_shape' is required/);
    expect(() => OPS.AveragePool.parse({ kernel_shape: [2, 2], ceil_mode: 2 })).toThrow(/'ceil_mode' must be 0 or 1, got 2/);
    expect(() => OPS.AveragePool.parse({ kernel_shape: [2, 2], count_include_pad: -1 })).toThrow(/'count_include_pad' must be 0 or 1, got -1/);
    expect(() => OPS.MaxPool.parse({ kernel_shape: [2, 2], storage_order: 2 })).toThrow(/'storage_order' must be 0 \(row-major\) or 1 \(column-major\), got 2/);
    expect(() => OPS.MaxPool.parse({ kernel_shape: [0, 2] })).toThrow(/'kernel_shape' values must be >= 1, got \[0, 2\]/);
    expect(() => OPS.MaxPool.parse({ kernel_shape: [2, 2], pads: [1, 1] })).toThrow(/kernel_shape gives 2, pads gives 1/);
    const k2 = OPS.MaxPool.parse({ kernel_shape: [2, 2] });
    expect(() => OPS.MaxPool.infer([f([1, 2, 3, 4, 5])], k2)).toThrow(/X must have rank 3 \(N, C, W\) or 4 \(N, C, H, W\), got shape \[1, 2, 3, 4, 5\]/);
    expect(() => OPS.MaxPool.infer([f([1, 2, 5])], k2)).toThrow(/'kernel_shape' has 2 values but input X \[1, 2, 5\] has 1 spatial axes/);
    expect(() => OPS.MaxPool.infer([f([1, 2, 1, 5])], k2)).toThrow(/window span 2 .* larger than the padded input 1/);
    expect(() => OPS.MaxPool.infer([f([1, 2, 4, 4], 'int32')], k2)).toThrow(/X must be float32 or float16 or int8 or uint8, got int32/);
    expect(() => OPS.AveragePool.infer([f([1, 2, 4, 4], 'int8')], k2)).toThrow(/X must be float32 or float16, got int8/);
    expect(() => OPS.GlobalAveragePool.infer([f([1, 2])], {})).toThrow(/X must have rank >= 3 \(N, C, spatial\.\.\.\), got shape \[1, 2\]/);
    expect(() => OPS.GlobalMaxPool.infer([f([1, 2, 3], 'int32')], {})).toThrow(/X must be float32 or float16, got int32/);
  });
});
