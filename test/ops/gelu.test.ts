import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { geluRef } from '../reference/gelu.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

describe('Gelu vs float64 reference', () => {
  it('approximate none and tanh', () => {
    fc.assert(fc.property(fc.array(dim(9), { maxLength: 4 }), seed(), fc.constantFrom(undefined, 'none', 'tanh' as const), (s, sd, approximate) => {
      const X = randomFloats(size(s), sd, -8, 8);
      const [out] = runKernel('Gelu', [{ dtype: 'float32', shape: s, data: X }], approximate ? { approximate } : {});
      expectClose(out.data, geluRef(ref(s, X), approximate ?? 'none').data, { s, sd, approximate }, { atol: 2e-6, rtol: 2e-6 });
    }), { numRuns: RUNS });
  });
});

describe('Gelu errors', () => {
  it('rejects integer input and unknown approximations', () => {
    expect(() => OPS.Gelu.infer([{ dtype: 'int32', shape: [3] }], OPS.Gelu.parse({}))).toThrow(/must be float32 or float16, got int32/);
    expect(() => OPS.Gelu.parse({ approximate: 'erf' })).toThrow(/attribute 'approximate' must be one of none, tanh, got 'erf'/);
    expect(() => runKernel('Gelu', [{ dtype: 'float32', shape: [1], data: new Float32Array(1) }], { approximate: 1 })).toThrow(/attribute 'approximate' must be string/);
  });
});
