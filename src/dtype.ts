/**
 * Element types. Each dtype has a public storage (what users put into and get out of a
 * Tensor) and an internal storage (what kernels compute on):
 *
 * | dtype   | public storage | kernel storage | note                                   |
 * |---------|----------------|----------------|----------------------------------------|
 * | float32 | Float32Array   | Float32Array   |                                        |
 * | float16 | Uint16Array    | Float32Array   | IEEE half bits; computed in float32    |
 * | int32   | Int32Array     | Int32Array     |                                        |
 * | int64   | BigInt64Array  | Int32Array     | BigInt only at the edges (see below)   |
 * | int8    | Int8Array      | Int8Array      |                                        |
 * | uint8   | Uint8Array     | Uint8Array     |                                        |
 * | bool    | Uint8Array     | Uint8Array     | 0 or 1                                 |
 *
 * int64 inside the engine is int32: inference int64s are token ids, indices and shapes.
 * Feeds outside the int32 range are rejected with an error; constants are clamped, which
 * keeps ONNX's INT64_MAX "to the end" sentinels (Slice ends) meaning what they mean.
 */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'int8' | 'uint8' | 'bool';

export const DTYPES: readonly DType[] = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool'];

export interface PublicStorage {
  float32: Float32Array;
  float16: Uint16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type DataFor<D extends DType> = PublicStorage[D];
export type TensorData = PublicStorage[DType];

/** What kernels read and write. */
export type KernelData = Float32Array | Int32Array | Int8Array | Uint8Array;

type Ctor = { new (n: number): TensorData; new (b: ArrayBufferLike, off: number, n: number): TensorData; BYTES_PER_ELEMENT: number; name: string };
type KCtor = { new (n: number): KernelData; new (b: ArrayBufferLike, off: number, n: number): KernelData; BYTES_PER_ELEMENT: number };

const PUBLIC: Record<DType, Ctor> = {
  float32: Float32Array, float16: Uint16Array, int32: Int32Array, int64: BigInt64Array as unknown as Ctor,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};
const KERNEL: Record<DType, KCtor> = {
  float32: Float32Array, float16: Float32Array, int32: Int32Array, int64: Int32Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}
export function publicArrayType(dtype: DType): Ctor { return PUBLIC[dtype]; }
export function kernelArrayType(dtype: DType): KCtor { return KERNEL[dtype]; }
export function isFloat(dtype: DType): boolean { return dtype === 'float32' || dtype === 'float16'; }
export function isInteger(dtype: DType): boolean { return !isFloat(dtype) && dtype !== 'bool'; }
/** Bytes per element in the ONNX/public representation. */
export function dtypeBytes(dtype: DType): number { return PUBLIC[dtype].BYTES_PER_ELEMENT; }
/** Bytes per element inside the engine. */
export function kernelBytes(dtype: DType): number { return KERNEL[dtype].BYTES_PER_ELEMENT; }

export function allocKernel(dtype: DType, n: number): KernelData { return new KERNEL[dtype](n); }
export function kernelView(dtype: DType, buf: ArrayBufferLike, byteOffset: number, n: number): KernelData {
  return new KERNEL[dtype](buf, byteOffset, n);
}

const I32_MIN = -2147483648, I32_MAX = 2147483647;

/** Public data -> kernel data (copies unless the storage is identical; then returns it as is). */
export function toKernelData(dtype: DType, data: TensorData, clampInt64 = true, what = 'tensor'): KernelData {
  switch (dtype) {
    case 'float16': {
      const src = data as Uint16Array, out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = f16ToF32(src[i]);
      return out;
    }
    case 'int64': {
      const src = data as BigInt64Array, out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v > 2147483647n || v < -2147483648n) {
          if (!clampInt64) throw new RangeError(`${what}: int64 value ${v} at index ${i} is outside the int32 range Tessera computes int64 in`);
          out[i] = v > 0n ? I32_MAX : I32_MIN;
        } else out[i] = Number(v);
      }
      return out;
    }
    default:
      return data as KernelData;
  }
}

/** Public data converted into an existing kernel array (feeds into the arena: no allocation). */
export function writeKernelData(dtype: DType, src: TensorData, dst: KernelData, what = 'tensor'): void {
  if (dtype === 'float16') {
    const h = src as Uint16Array;
    for (let i = 0; i < h.length; i++) dst[i] = f16ToF32(h[i]);
  } else if (dtype === 'int64') {
    const b = src as BigInt64Array;
    for (let i = 0; i < b.length; i++) {
      const v = b[i];
      if (v > 2147483647n || v < -2147483648n) throw new RangeError(`${what}: int64 value ${v} at index ${i} is outside the int32 range Tessera computes int64 in`);
      dst[i] = Number(v);
    }
  } else (dst as Float32Array).set(src as Float32Array);
}

/** Kernel data -> fresh public data. */
export function toPublicData(dtype: DType, data: KernelData): TensorData {
  switch (dtype) {
    case 'float16': {
      const out = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = f32ToF16(data[i]);
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i]);
      return out;
    }
    default:
      return data.slice() as TensorData;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half bits -> float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float -> IEEE 754 half bits, round to nearest even. */
export function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0], sign = (x >>> 16) & 0x8000, exp = (x >>> 23) & 0xff, man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = man | 0x800000, shift = 14 - e;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}
