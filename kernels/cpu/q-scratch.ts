/**
 * Typed views over a kernel's arena scratch (a Float32Array), made once per scratch buffer and
 * cached in the plan: the quantized kernels need float64 and int views, and a run must not
 * allocate. Sizes are in elements; float64 regions come first so they stay 8-byte aligned.
 */
export interface ScratchLayout { f64: number[]; f32: number[]; i32?: number[] }

export function scratchBytesOf(layout: ScratchLayout): number {
  const sum = (a: number[] | undefined) => (a ?? []).reduce((s, n) => s + n, 0);
  return sum(layout.f64) * 8 + (sum(layout.f32) + sum(layout.i32)) * 4;
}

export interface ScratchViews { f64: Float64Array[]; f32: Float32Array[]; i32: Int32Array[] }

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
    const i32 = (this.layout.i32 ?? []).map((n) => { const a = new Int32Array(buffer, at, n); at += n * 4; return a; });
    v = { f64, f32, i32 };
    this.cache.set(scratch, v);
    return v;
  }
}

/**
 * Rows per tile for kernels that copy activation rows into scratch (float patches, float64
 * pairs): rows * K <= 2^19 elements, so each copy stays within 2 to 4 MiB; a multiple of 8.
 */
export function rowTile(M: number, K: number): number {
  const fit = Math.floor((1 << 19) / Math.max(1, K));
  return Math.max(8, Math.min(Math.ceil(M / 8) * 8, fit - (fit % 8)));
}
