import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { layerNormRef } from '../reference/layer-normalization.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

/** X shape, axis, and Scale/B shapes that broadcast onto X.shape[axis:] (dense, 1s, dropped or extra leading 1s). */
const problem = fc.array(dim(7), { minLength: 1, maxLength: 4 })
  .chain((s) => fc.record({
    s: fc.constant(s),
    axis: fc.integer({ min: -s.length, max: s.length - 1 }),
    scaleMode: fc.constantFrom('dense', 'dense', 'ones', 'trailing', 'lead1'),
    bias: fc.boolean(),
    epsilon: fc.constantFrom(undefined, 1e-5, 1e-3, 0.5),
    sd: seed(),
  }));

function paramShape(s: number[], axis: number, mode: string, sd: number): number[] {
  const ax = axis < 0 ? axis + s.length : axis, norm = s.slice(ax);
  switch (mode) {
    case 'ones': return norm.map((d, i) => ((sd >> i) & 1 ? 1 : d));
    case 'trailing': return norm.slice(1);
    case 'lead1': return ax > 0 ? [1, ...norm] : norm; // needs a leading dim of X to sit over
    default: return norm;
  }
}

describe('LayerNormalization vs float64 reference', () => {
  it('Y, Mean and InvStdDev over any axis, with broadcast Scale/B', () => {
    fc.assert(fc.property(problem, ({ s, axis, scaleMode, bias, epsilon, sd }) => {
      const X = randomFloats(size(s), sd, -3, 3);
      const gs = paramShape(s, axis, scaleMode, sd), bs = paramShape(s, axis, scaleMode, sd >> 3);
      const G = randomFloats(size(gs), sd + 1, 0.5, 2), B = randomFloats(size(bs), sd + 2);
      const raw = { axis, ...(epsilon !== undefined ? { epsilon } : {}) };
      const inputs = [{ dtype: 'float32' as const, shape: s, data: X }, { dtype: 'float32' as const, shape: gs, data: G }, ...(bias ? [{ dtype: 'float32' as const, shape: bs, data: B }] : [])];
      const [y, mean, inv] = runKernel('LayerNormalization', inputs, raw, { constants: [1, 2] });
      const want = layerNormRef(ref(s, X), ref(gs, G), bias ? ref(bs, B) : undefined, axis, Math.fround(epsilon ?? 1e-5));
      const d = size(s.slice(axis < 0 ? axis + s.length : axis));
      const ctx = { s, axis, gs, bs, bias, epsilon, sd };
      expectClose(y.data, want.y.data, ctx, { k: d });
      expectClose(mean.data, want.mean, ctx, { k: d });
      expectClose(inv.data, want.invStdDev, ctx, { k: d, rtol: 1e-4 });
      expect(mean.shape).toEqual(s.map((v, i) => (i < (axis < 0 ? axis + s.length : axis) ? v : 1)));
    }), { numRuns: RUNS });
  });

  it('stays accurate when |mean| >> std (shifted one-pass statistics)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), seed(), (d, sd) => {
      const X = randomFloats(3 * d, sd, 999, 1001), G = new Float32Array(d).fill(1);
      const [y] = runKernel('LayerNormalization', [{ dtype: 'float32', shape: [3, d], data: X }, { dtype: 'float32', shape: [d], data: G }]);
      expectClose(y.data, layerNormRef(ref([3, d], X), ref([d], G), undefined, -1, Math.fround(1e-5)).y.data, { d, sd }, { k: d });
    }), { numRuns: RUNS });
  });
});

describe('LayerNormalization errors', () => {
  const t = (shape: (number | string)[], dtype: 'float32' | 'int32' | 'float16' = 'float32') => ({ dtype, shape });
  const p = OPS.LayerNormalization.parse({});
  it('rejects Scale/B that do not fit the normalized dims, bad dtypes and axes', () => {
    expect(() => OPS.LayerNormalization.infer([t([2, 8]), t([7])], p)).toThrow(/input Scale \[7\] must broadcast to the normalized dims \[8\]/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8]), t([2, 8])], p)).toThrow(/Scale \[2, 8\] must broadcast to the normalized dims/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8]), t([8]), t([4])], p)).toThrow(/input B \[4\]/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8]), t([8], 'float16')], p)).toThrow(/input Scale must be float32 like X, got float16/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8], 'int32'), t([8], 'int32')], p)).toThrow(/must be float32 or float16, got int32/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8])], p)).toThrow(/input 1 \(Scale\) is required/);
    expect(() => OPS.LayerNormalization.infer([t([2, 8]), t([8])], OPS.LayerNormalization.parse({ axis: 2 }))).toThrow(/attribute axis 2 is out of range for rank 2/);
  });
  it('validates attributes', () => {
    expect(() => OPS.LayerNormalization.parse({ epsilon: -1 })).toThrow(/attribute 'epsilon' must be >= 0, got -1/);
    expect(() => OPS.LayerNormalization.parse({ stash_type: 10 })).toThrow(/attribute 'stash_type' must be 1/);
  });
  it('infers symbolic shapes and float32 statistics', () => {
    const [y, m, s] = OPS.LayerNormalization.infer([t(['b', 's', 16], 'float16'), t([16], 'float16')], p);
    expect(y).toEqual({ dtype: 'float16', shape: ['b', 's', 16] });
    expect(m).toEqual({ dtype: 'float32', shape: ['b', 's', 1] });
    expect(s.shape).toEqual(['b', 's', 1]);
  });
});
