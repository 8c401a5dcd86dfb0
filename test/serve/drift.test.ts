import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { DriftMonitor, buildReference, psi } from '../../src/serve/index.js';
import { randomFloats } from '../util/numerics.js';

describe('PSI', () => {
  it('is 0 for identical distributions and matches the formula otherwise', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    const want = (0.5 - 0.25) * Math.log(0.5 / 0.25) + (0.5 - 0.75) * Math.log(0.5 / 0.75);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(want, 12);
    // An empty bin is floored at epsilon instead of giving Infinity.
    expect(Number.isFinite(psi([0, 1], [0.5, 0.5]))).toBe(true);
  });

  it('builds quantile bins with equal shares from a uniform sample', () => {
    const ref = buildReference(randomFloats(10000, 1, 0, 1), 10);
    expect(ref.edges.length).toBe(9);
    for (const e of ref.expected) expect(Math.abs(e - 0.1)).toBeLessThan(0.002);
  });
});

describe('DriftMonitor', () => {
  const batch = (seed: number, shift: number) => ({ x: new Tensor('float32', [64, 8], randomFloats(512, seed, shift, shift + 1)) });

  it('collects a reference from the first requests, then stays near 0 on the same distribution and rises on a shift', () => {
    const same = new DriftMonitor(['x'], { referenceRequests: 20 });
    const shifted = new DriftMonitor(['x'], { referenceRequests: 20 });
    for (let i = 0; i < 20; i++) { same.observe(batch(i, 0)); shifted.observe(batch(i, 0)); }
    expect(same.state).toBe('monitoring');
    expect(same.psi().x).toBeNaN();  // no live traffic yet
    for (let i = 100; i < 130; i++) { same.observe(batch(i, 0)); shifted.observe(batch(i, 0.5)); }
    expect(same.psi().x).toBeLessThan(0.05);
    expect(shifted.psi().x).toBeGreaterThan(0.25);
  });

  it('takes a reference profile as JSON and rejects one that does not fit', () => {
    const m = new DriftMonitor(['x'], {}, { x: { edges: [0.5], expected: [0.5, 0.5] } });
    m.observe({ x: new Tensor('float32', [4], [0.1, 0.2, 0.3, 0.9]) });
    const want = (0.75 - 0.5) * Math.log(0.75 / 0.5) + (0.25 - 0.5) * Math.log(0.25 / 0.5);
    expect(m.psi().x).toBeCloseTo(want, 10);
    expect(() => new DriftMonitor(['x', 'y'], {}, { x: { edges: [0.5], expected: [0.5, 0.5] } })).toThrow(/no entry for input 'y'/);
    expect(() => new DriftMonitor(['x'], {}, { x: { edges: [0.5], expected: [1] } })).toThrow(/needs edges/);
  });
});
