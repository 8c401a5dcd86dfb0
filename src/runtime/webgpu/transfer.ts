import { f16ToF32, f32ToF16, toPublicData, type DType, type KernelData, type TensorData } from '../../dtype.js';
import { storageBytes, storageType } from '../../../kernels/webgpu/types.js';

/**
 * Kernel data <-> the bytes a GPU buffer holds (kernels/webgpu/types.ts storageType): floats as
 * f32 (or f16 bits under f16 precision), integers as i32, bool/uint8 widened to u32.
 */

/** Bytes of n elements on the GPU, rounded up to the 4 bytes copies and writes need. */
export function gpuBytes(dtype: DType, n: number, f16: boolean): number {
  return Math.ceil((n * storageBytes(storageType(dtype, f16))) / 4) * 4;
}

/** The array to upload for kernel data `data` (the same array when no conversion is needed). */
export function toGpu(dtype: DType, data: KernelData, f16: boolean): ArrayBufferView {
  const t = storageType(dtype, f16);
  if (t === 'f16') {
    const out = new Uint16Array(data.length + (data.length & 1));
    for (let i = 0; i < data.length; i++) out[i] = f32ToF16(data[i]);
    return out;
  }
  if (data instanceof Int8Array) return Int32Array.from(data);
  if (data instanceof Uint8Array) return Uint32Array.from(data);
  return data;
}

/** Kernel data (a fresh array) from n elements read back from a GPU buffer. */
export function fromGpu(dtype: DType, bytes: ArrayBuffer, byteOffset: number, n: number, f16: boolean): KernelData {
  const t = storageType(dtype, f16);
  switch (t) {
    case 'f16': {
      const h = new Uint16Array(bytes, byteOffset, n), out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(h[i]);
      return out;
    }
    case 'f32': return new Float32Array(bytes.slice(byteOffset, byteOffset + 4 * n));
    case 'i32': {
      const v = new Int32Array(bytes, byteOffset, n);
      return dtype === 'int8' ? Int8Array.from(v) : v.slice();
    }
    case 'u32': return Uint8Array.from(new Uint32Array(bytes, byteOffset, n));
  }
}

/** Public data for a value; `fresh` kernel data that already is the public storage is handed over without a copy. */
export function toPublic(dtype: DType, data: KernelData, fresh: boolean): TensorData {
  const same = dtype === 'float32' || dtype === 'int32' || dtype === 'int8' || dtype === 'uint8' || dtype === 'bool';
  return same && fresh ? (data as TensorData) : toPublicData(dtype, data);
}
