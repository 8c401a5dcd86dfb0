/**
 * Typed views over a kernel's arena scratch (a Float32Array), made once per scratch buffer and
 * cached in the plan: the quantized kernels need float64 and int views, and a run must not
 * allocate. Sizes are in elements; float64 regions come first so they stay 8-byte aligned.
 */
export interface ScratchLayout { f64: number[]; f32: number[] }

export function scratchBytesOf(layout: ScratchLayout): number {
  return layout.f64.reduce((s, n) => s + n, 0) * 8 + layout.f32.reduce((s, n) => s + n, 0) * 4;
}

export interface ScratchViews { f64: Float64Array[]; f32: Float32Array[] }

export class ScratchCache {
  private readonly cache = new WeakMap<Float32Array, ScratchViews>();
  constructor(private readonly layout: ScratchLayout) {}

  views(scratch: Float32Array): ScratchViews {
    let v = this.cache.get(scratch);
    if (v) return v;
    const { buffer, byteOffset } = scratch;
    if (byteOffset % 8) throw new Error(`quantized kernel scratch must be 8-byte aligned, got byte offset ${byteOffset}`);
    let at = byteOffset;
    const f64 = this.layout.f64.map((n) => { const a = new Float64Array(buffer, at, n); at += n * 8; return a; });
    const f32 = this.layout.f32.map((n) => { const a = new Float32Array(buffer, at, n); at += n * 4; return a; });
    v = { f64, f32 };
    this.cache.set(scratch, v);
    return v;
  }
}

/** Rows per tile for kernels that pack activation rows (float64 pairs), bounding scratch to ~4 MiB; a multiple of 8. */
export function rowTile(M: number, K: number): number {
  const fit = Math.max(8, Math.floor((1 << 20) / Math.max(1, K)) * 2);
  return Math.max(8, Math.min(Math.ceil(M / 8) * 8, fit - (fit % 8)));
}

/** The int4 quants as little-endian u32 words (copied when the bytes are not 4-aligned, e.g. inside a loaded file). */
export function words(q: Uint8Array): Uint32Array {
  const src = q.byteOffset % 4 === 0 ? q : q.slice();
  return new Uint32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
}
