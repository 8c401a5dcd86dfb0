import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { batchNormRef } from '../reference/batch-normalization.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { RawAttrs, ValueType } from '../../src/ops/types.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('BatchNormalization (inference) vs float64 reference', () => {
  it('rank 2 to 5, float32 and float16, constant or runtime statistics', () => {
    const shape = fc.array(dim(7), { minLength: 2, maxLength: 5 });
    const eps = fc.oneof(fc.constant(undefined), fc.double({ min: 1e-6, max: 0.1, noNaN: true }));
    fc.assert(fc.property(shape, eps, seed(), fc.constantFrom('float32', 'float16' as const), fc.boolean(), (xs, epsilon, s, dtype, constants) => {
      const C = xs[1];
      const X = randomFloats(size(xs), s, -3, 3), scale = randomFloats(C, s + 1, -2, 2), B = randomFloats(C, s + 2);
      const mean = randomFloats(C, s + 3), variance = randomFloats(C, s + 4, 0, 2);
      const p = (data: Float32Array) => ({ dtype, shape: [C], data });
      const raw: RawAttrs = epsilon === undefined ? { momentum: 0.9 } : { epsilon };
      const [out] = runKernel('BatchNormalization', [{ dtype, shape: xs, data: X }, p(scale), p(B), p(mean), p(variance)], raw, { constants: constants ? [1, 2, 3, 4] : [] });
      const e = Math.fround(epsilon ?? 1e-5);
      const want = batchNormRef(ref(xs, X), ref([C], scale), ref([C], B), ref([C], mean), ref([C], variance), e);
      expect(out.shape).toEqual(xs);
      expectClose(out.data, want.data, { xs, epsilon, s, dtype }, { atol: 1e-5, rtol: 1e-5 });
    }), { numRuns: RUNS });
  });
});

describe('BatchNormalization schema', () => {
  const f = (shape: (number | string)[], dtype: ValueType['dtype'] = 'float32'): ValueType => ({ dtype, shape });
  const infer = (ins: (ValueType | undefined)[], raw: RawAttrs = {}) => OPS.BatchNormalization.infer(ins, OPS.BatchNormalization.parse(raw));

  it('keeps X shape, symbols included', () => {
    expect(infer([f(['N', 4, 'h', 'w']), f([4]), f([4]), f([4]), f([4])])[0].shape).toEqual(['N', 4, 'h', 'w']);
    expect(OPS.BatchNormalization.parse({})).toEqual({ epsilon: 1e-5 });
  });

  it('rejects training mode and bad epsilon', () => {
    expect(() => OPS.BatchNormalization.parse({ training_mode: 1 })).toThrow(/'training_mode' must be 0.*inference only.*got 1/);
    expect(() => OPS.BatchNormalization.parse({ epsilon: -1 })).toThrow(/'epsilon' must be >= 0, got -1/);
  });

  it('rejects bad inputs naming what was expected and what came', () => {
    expect(() => infer([f([4]), f([4]), f([4]), f([4]), f([4])])).toThrow(/X must have rank >= 2 \(N, C, \.\.\.\), got shape \[4\]/);
    expect(() => infer([f([2, 4, 3]), f([3]), f([4]), f([4]), f([4])])).toThrow(/scale must have one value per channel of X \[2, 4, 3\] \(C = 4\), got shape \[3\]/);
    expect(() => infer([f([2, 4, 3]), f([4]), f([4]), f([4, 1]), f([4])])).toThrow(/input_mean must have rank 1/);
    expect(() => infer([f([2, 4, 3]), f([4]), f([4]), f([4]), undefined])).toThrow(/input 4 \(input_var\) is required/);
    expect(() => infer([f([2, 4, 3], 'int32'), f([4]), f([4]), f([4]), f([4])])).toThrow(/X must be float32 or float16, got int32/);
  });
});
