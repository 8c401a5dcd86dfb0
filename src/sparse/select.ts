/**
 * Exact k-smallest selection over float32 magnitudes given as their bit patterns. For
 * non-negative floats the uint32 bit order is the numeric order, so two histogram passes (top
 * 16 bits, then the low 16 within the bucket that holds the k-th) find the k-th smallest value
 * with no sort and no copy of the scores (a global prune of DistilBERT ranks 40M weights).
 * Sign bits are masked off, so a raw float32 weight view ranks by |w|; NaN ranks above
 * Infinity (never pruned before a number).
 */
export function forSmallest(scores: readonly Uint32Array[], k: number, take: (layer: number, index: number) => void): void {
  const total = scores.reduce((n, s) => n + s.length, 0);
  if (!(k >= 0 && k <= total && Number.isInteger(k))) throw new RangeError(`forSmallest: k must be an integer in [0, ${total}], got ${k}`);
  if (k === 0) return;
  const hi = new Float64Array(65536);
  for (const s of scores) for (let i = 0; i < s.length; i++) hi[(s[i] & 0x7fffffff) >>> 16]++;
  let h = 0, below = 0;
  while (below + hi[h] < k) below += hi[h++];
  const lo = new Float64Array(65536);
  for (const s of scores) for (let i = 0; i < s.length; i++) { const b = s[i] & 0x7fffffff; if (b >>> 16 === h) lo[b & 0xffff]++; }
  let l = 0;
  while (below + lo[l] < k) below += lo[l++];
  const threshold = ((h << 16) | l) >>> 0;
  let equal = k - below; // how many scores equal to the threshold are taken, first ones first
  scores.forEach((s, layer) => {
    for (let i = 0; i < s.length; i++) {
      const b = (s[i] & 0x7fffffff) >>> 0;
      if (b < threshold) take(layer, i);
      else if (b === threshold && equal > 0) { equal--; take(layer, i); }
    }
  });
}

/** The float32 bit patterns of a Float32Array (a view, no copy). */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}
