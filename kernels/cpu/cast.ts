import type { CastAttrs } from '../../src/ops/cast.js';
import { cpuKernel } from '../types.js';

/**
 * A float rounded to the nearest float16 value (ties to even), kept as a float: float16 lives
 * in float32 storage inside the engine, so a cast to float16 is this rounding. Arithmetic, not
 * bit twiddling, so kernels need no shared scratch buffer; the tests hold it to src/dtype.ts's
 * f32ToF16 over every half value and the midpoints between them.
 */
export function roundToF16(v: number): number {
  const a = Math.abs(v);
  if (!(a > 0) || a === Infinity) return v; // ±0, NaN, ±Inf
  if (a >= 65520) return v > 0 ? Infinity : -Infinity; // past the midpoint of 65504 and 2^16
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++; // log2 may round across a power of two
  const q = 2 ** (Math.max(e, -14) - 10); // spacing of halves around a (subnormals below 2^-14)
  const m = a / q, f = Math.floor(m), rem = m - f;
  const r = rem > 0.5 || (rem === 0.5 && f % 2 === 1) ? f + 1 : f;
  return v < 0 ? -r * q : r * q;
}

const enum Mode { Copy, Float16, Bool }

/**
 * Everything but float16 and bool targets is one typed-array `set`: it converts per element the
 * way assignment does, so float -> int truncates toward zero, NaN and ±Inf become 0, and values
 * out of the target's range wrap (ToInt32 / ToInt8 / ToUint8), as C casts in numpy do; nothing
 * saturates. int64 is int32 inside, so it wraps at 2^31.
 */
export const cast = cpuKernel<CastAttrs, Mode>({
  prepare(attrs, inputs) {
    const from = inputs[0].dtype;
    if (attrs.to === 'float16' && from !== 'float16') return Mode.Float16;
    if (attrs.to === 'bool' && from !== 'bool') return Mode.Bool;
    return Mode.Copy;
  },
  run(inputs, mode, outputs) {
    const x = inputs[0]!.data, o = outputs[0].data, n = o.length;
    if (mode === Mode.Float16) for (let i = 0; i < n; i++) o[i] = roundToF16(x[i]);
    else if (mode === Mode.Bool) for (let i = 0; i < n; i++) o[i] = x[i] !== 0 ? 1 : 0; // NaN is true
    else if (x !== o) o.set(x);
  },
});
