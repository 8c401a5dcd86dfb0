/** Float64 reference tensors: plain and obvious, for checking kernels, never for speed. */
export interface RefTensor { shape: number[]; data: Float64Array }

export function ref(shape: number[], data: ArrayLike<number>): RefTensor {
  return { shape: shape.slice(), data: Float64Array.from(data) };
}

export function size(shape: readonly number[]): number { return shape.reduce((a, b) => a * b, 1); }

/** Multi-index of flat position i in shape. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return idx;
}

/** Flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
  return i;
}

/** Numpy broadcast of two shapes (throws on mismatch). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a}] and [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Element of t at an output multi-index under broadcasting. */
export function at(t: RefTensor, outIdx: readonly number[]): number {
  const off = outIdx.length - t.shape.length;
  const idx = t.shape.map((d, k) => (d === 1 ? 0 : outIdx[off + k]));
  return t.data[ravel(idx, t.shape)];
}

/** Elementwise map over broadcast inputs. */
export function mapBroadcast(ts: RefTensor[], f: (...xs: number[]) => number): RefTensor {
  const shape = ts.map((t) => t.shape).reduce(broadcastShape);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(...ts.map((t) => at(t, idx)));
  }
  return { shape, data: out };
}
