import { describe, expect, it } from 'vitest';
import { Tensor } from '../src/tensor.js';
import { f16ToF32, f32ToF16, toKernelData, toPublicData } from '../src/dtype.js';

describe('Tensor', () => {
  it('binds each dtype to its typed array', () => {
    const cases = [
      ['float32', Float32Array], ['float16', Uint16Array], ['int32', Int32Array], ['int64', BigInt64Array],
      ['int8', Int8Array], ['uint8', Uint8Array], ['bool', Uint8Array],
    ] as const;
    for (const [dtype, Ctor] of cases) {
      const t = new Tensor(dtype, [2, 3]);
      expect(t.data).toBeInstanceOf(Ctor);
      expect(t.size).toBe(6);
      expect(t.shape).toEqual([2, 3]);
    }
  });

  it('accepts plain arrays and converts them', () => {
    expect(new Tensor('int64', [2], [1, 2]).data).toEqual(new BigInt64Array([1n, 2n]));
    expect(Array.from(new Tensor('float32', [3], [1, 2, 3]).data)).toEqual([1, 2, 3]);
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => new Tensor('float32', [2, 3], new Float32Array(5))).toThrow(/shape \[2,3\] holds 6 elements but data has 5/);
  });

  it('rejects a typed array of the wrong kind', () => {
    expect(() => new Tensor('float32', [2], new Int32Array(2))).toThrow(/float32 needs a Float32Array but data is a Int32Array/);
    expect(() => new Tensor('int64', [2], new Int32Array(2))).toThrow(/int64 needs a BigInt64Array/);
  });

  it('rejects bad dtypes and dimensions', () => {
    expect(() => new Tensor('float64' as never, [1])).toThrow(/unknown dtype "float64"/);
    expect(() => new Tensor('float32', [2, -1])).toThrow(/shape\[1\] is number -1/);
    expect(() => new Tensor('float32', [1.5])).toThrow(/shape\[0\]/);
    expect(() => new Tensor('float32', 3 as never)).toThrow(/shape must be an array/);
  });

  it('allows zero-size tensors and scalars', () => {
    expect(new Tensor('float32', [0, 4]).size).toBe(0);
    expect(new Tensor('float32', [], [7]).size).toBe(1);
  });
});

describe('dtype storage conversions', () => {
  it('float16 round-trips exactly representable values and rounds to nearest even', () => {
    for (const v of [0, -0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, Infinity, -Infinity]) {
      expect(f16ToF32(f32ToF16(v))).toBe(v);
    }
    expect(f16ToF32(f32ToF16(1 + 2 ** -11))).toBe(1); // tie -> even
    expect(f16ToF32(f32ToF16(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(Number.isNaN(f16ToF32(f32ToF16(NaN)))).toBe(true);
    expect(f16ToF32(f32ToF16(1e6))).toBe(Infinity);
  });

  it('int64 feeds outside int32 are rejected; constants clamp', () => {
    const big = new BigInt64Array([9223372036854775807n, -5n]);
    expect(() => toKernelData('int64', big, false, "input 'ids'")).toThrow(/input 'ids': int64 value 9223372036854775807 at index 0/);
    expect(Array.from(toKernelData('int64', big, true))).toEqual([2147483647, -5]);
    expect(toPublicData('int64', new Int32Array([3, -4]))).toEqual(new BigInt64Array([3n, -4n]));
  });
});
