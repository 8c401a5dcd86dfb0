import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, randomFloats, RUNS, seed } from '../util/numerics.js';
import { randomData } from '../reference/kernel-data.js';
import { castRef } from '../reference/cast.js';
import { size } from '../reference/tensor.js';
import { roundToF16 } from '../../kernels/cpu/cast.js';
import { f16ToF32, f32ToF16, type DType, type KernelData } from '../../src/dtype.js';
import { OPS } from '../../src/ops/index.js';

const CODES: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };
const ALL = Object.keys(CODES) as DType[];

/** Source data: floats cover NaN, infinities, halves and values past every integer range. */
function source(dtype: DType, n: number, s: number): KernelData {
  if (dtype !== 'float32' && dtype !== 'float16') return randomData(dtype, n, s);
  const special = [NaN, Infinity, -Infinity, -0, 0.5, -0.5, 2.5, -2.5, 127.9, 128, 255.5, 256, -129, 3e9, -3e9, 1e30, 65519, 65520, 1e-8];
  const x = randomFloats(n, s, -300, 300);
  for (let i = 0; i < n; i += 3) x[i] = special[(i / 3 + s) % special.length];
  if (dtype === 'float16') for (let i = 0; i < n; i++) x[i] = f16ToF32(f32ToF16(x[i])); // float16 data is what halves can hold
  return x;
}

describe('Cast vs reference', () => {
  it('every supported pair: truncation toward zero, wrapping, bool as "not zero", float16 rounding', () => {
    fc.assert(fc.property(fc.array(dim(9), { maxLength: 3 }), fc.constantFrom(...ALL), fc.constantFrom(...ALL), seed(), (shape, from, to, s) => {
      const x = source(from, size(shape), s);
      const [out] = runKernel('Cast', [{ dtype: from, shape, data: x }], { to: CODES[to] });
      expect(out.dtype).toBe(to);
      expectEqual(out.data, Array.from(x, (v) => castRef(v, to)), { shape, from, to, s });
    }), { numRuns: RUNS * 2 });
  });

  it('roundToF16 equals src/dtype.ts f32ToF16 -> f16ToF32 on every half, every midpoint and its neighbours', () => {
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    const near = (v: number) => { f[0] = v; const b = u[0]; const out: number[] = []; for (const d of [-1, 0, 1]) { u[0] = b + d; out.push(f[0]); } return out; };
    const check = (v: number) => {
      const want = f16ToF32(f32ToF16(v)), got = roundToF16(v);
      if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) throw new Error(`roundToF16(${v}) = ${got}, expected ${want}`);
    };
    for (let h = 0; h < 0x10000; h++) {
      const v = f16ToF32(h);
      check(v);
      if ((h & 0x7c00) !== 0x7c00 && (h & 0x7fff) !== 0x7bff) {
        const next = f16ToF32(h + 1);
        for (const w of near(Math.fround((v + next) / 2))) check(w);
      }
    }
    for (const v of randomFloats(10000, 5, -70000, 70000)) check(v);
    for (const v of randomFloats(10000, 6, -1e-4, 1e-4)) check(v);
  });

  it('rejects types it does not compute in, naming them', () => {
    expect(() => OPS.Cast.parse({ to: 11 })).toThrow(/'to' = 11 \(DOUBLE\) is not a supported type; supported: 1 \(float32\)/);
    expect(() => OPS.Cast.parse({ to: 16 })).toThrow(/BFLOAT16/);
    expect(() => runKernel('Cast', [{ dtype: 'float32', shape: [1], data: new Float32Array(1) }])).toThrow(/'to' \(int\) is required/);
  });
});
