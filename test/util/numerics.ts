import fc from 'fast-check';

/** Deterministic uniform floats in [lo, hi) from a seed (mulberry32): big tensors without fc overhead. The benchmarks' generator. */
export { seededFloats as randomFloats } from '../../bench/data.js';
import { seededFloats as randomFloats } from '../../bench/data.js';

export function randomInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  const f = randomFloats(n, seed, 0, 1);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.min(hi - lo, Math.floor(f[i] * (hi - lo + 1)));
  return out;
}

/** Dimensions that break tiling assumptions: 0, 1, primes, and odd sizes. */
export const dim = (max = 17): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 7, 13).filter((d) => d <= max), fc.integer({ min: 0, max }));
export const posDim = (max = 17): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(1, 2, 3, 5, 7, 13).filter((d) => d <= max), fc.integer({ min: 1, max }));
export const seed = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0x7fffffff });

/** Runs for property tests: bounded so the suite stays fast on 2 cores; override with FC_RUNS. */
export const RUNS = Number(process.env.FC_RUNS ?? 60);

export interface Tolerance {
  /** Reduction length: how many terms were summed into each output (1 for elementwise). */
  k?: number;
  atol?: number;
  rtol?: number;
}

/**
 * Float32 kernel vs float64 reference. Tolerance per element: (atol + rtol * |expected|) * max(1, sqrt(k)).
 * NaN matches NaN, infinities must match exactly. Throws with the first mismatch and `context`.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, context: unknown, tol: Tolerance = {}): void {
  const { k = 1, atol = 1e-5, rtol = 1e-5 } = tol;
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}; ${show(context)}`);
  const scale = Math.max(1, Math.sqrt(k));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= (atol + rtol * Math.abs(e)) * scale) continue;
    throw new Error(`element ${i}: got ${a}, expected ${e} (tolerance ${((atol + rtol * Math.abs(e)) * scale).toExponential(2)}); ${show(context)}`);
  }
}

/** Integer kernels: exact. */
export function expectEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, context: unknown): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}; ${show(context)}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]}; ${show(context)}`);
    }
  }
}

function show(context: unknown): string {
  return JSON.stringify(context, (_k, v) => (ArrayBuffer.isView(v) ? `<${(v as Float32Array).length} values>` : v));
}
