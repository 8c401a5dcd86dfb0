/** Seeded uniform floats in [lo, hi) (mulberry32): the same weights and inputs on every run. */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** Seeded integers in [lo, hi) as int64 (token ids). */
export function seededIds(n: number, seed: number, lo: number, hi: number): BigInt64Array {
  const f = seededFloats(n, seed, 0, 1), out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = BigInt(lo + Math.min(hi - lo - 1, Math.floor(f[i] * (hi - lo))));
  return out;
}
