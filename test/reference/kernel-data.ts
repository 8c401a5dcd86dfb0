import type { DType, KernelData } from '../../src/dtype.js';
import { randomFloats, randomInts } from '../util/numerics.js';

/** Random kernel-storage data of any dtype, for exact tests of ops that only move elements. */
export function randomData(dtype: DType, n: number, seed: number): KernelData {
  switch (dtype) {
    case 'float32': case 'float16': return randomFloats(n, seed, -10, 10);
    case 'int32': case 'int64': return randomInts(n, seed, -1000, 1000);
    case 'int8': return Int8Array.from(randomInts(n, seed, -128, 127));
    case 'uint8': return Uint8Array.from(randomInts(n, seed, 0, 255));
    case 'bool': return Uint8Array.from(randomInts(n, seed, 0, 1));
  }
}

/** The dtypes movement ops are tested on: one per kernel storage type, plus bool. */
export const MOVE_DTYPES: DType[] = ['float32', 'int32', 'int64', 'int8', 'uint8', 'bool'];
