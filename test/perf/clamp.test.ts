import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BOUND, clamp, NO_HI, NO_LO } from '../../kernels/cpu/clamp.js';
import { RUNS } from '../util/numerics.js';

/** The branch-free clamp of the fused epilogues against Math.min(Math.max(v, lo), hi). */
const exact = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const f32 = (v: number) => Math.fround(v);

describe('branch-free clamp', () => {
  it('ReLU (lo 0) and no clamp are exact for every double within ±BOUND (far beyond float32)', () => {
    fc.assert(fc.property(fc.double({ min: -BOUND, max: BOUND, noNaN: true }), (v) => {
      // === rather than Object.is: the sign of a zero may differ (-0 comes out as +0).
      expect(clamp(v, 0, NO_HI) === exact(v, 0, NO_HI)).toBe(true);
      expect(clamp(v, NO_LO, NO_HI) === v).toBe(true);
    }), { numRuns: RUNS * 10 });
  });

  it('ReLU6 gives the float32 that Math.min/Math.max gives; general clips come within 2^-29 of it', () => {
    const finite = fc.double({ min: -(2 ** 40), max: 2 ** 40, noNaN: true });
    fc.assert(fc.property(finite, finite, finite, (v, a, b) => {
      const [lo, hi] = a <= b ? [f32(a), f32(b)] : [f32(b), f32(a)];
      expect(f32(clamp(v, 0, 6))).toBe(f32(exact(v, 0, 6)));
      const err = Math.abs(clamp(v, lo, hi) - exact(v, lo, hi));
      expect(err).toBeLessThanOrEqual(2 ** -29 + (Math.abs(lo) + Math.abs(hi)) * 2 ** -52);
    }), { numRuns: RUNS * 10 });
  });

  it('keeps NaN and clamps infinities exactly', () => {
    expect(clamp(NaN, 0, 6)).toBeNaN();
    expect(clamp(NaN, NO_LO, NO_HI)).toBeNaN();
    expect(clamp(Infinity, 0, 6)).toBe(6);
    expect(clamp(-Infinity, 0, 6)).toBe(0);
    expect(clamp(-Infinity, 0, NO_HI)).toBe(0);
    expect(f32(clamp(Infinity, NO_LO, NO_HI))).toBe(Infinity);
    expect(f32(clamp(-Infinity, NO_LO, NO_HI))).toBe(-Infinity);
    expect(clamp(3, NO_LO, NO_HI)).toBe(3);
    expect(clamp(-3, 0, NO_HI)).toBe(0);
    expect(clamp(Number.MAX_VALUE, 0, 6)).toBe(6);
    expect(clamp(1e30, 0, 6)).toBe(6);
    expect(clamp(1e30, 0, NO_HI)).toBe(1e30);
    expect(clamp(-1e30, -1, 1)).toBe(-1);
    expect(clamp(-Number.MAX_VALUE, NO_LO, 6)).toBe(-BOUND);
  });
});
