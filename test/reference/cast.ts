import { f16ToF32, f32ToF16, type DType } from '../../src/dtype.js';

/**
 * One element cast, by definition: floats to integers truncate toward zero and wrap modulo the
 * target's width (NaN and infinities give 0); bool is "not zero"; float16 rounds to nearest even.
 */
export function castRef(v: number, to: DType): number {
  const wrap = (bits: number, signed: boolean) => {
    if (!Number.isFinite(v)) return 0;
    const t = BigInt(Math.trunc(v));
    return Number(signed ? BigInt.asIntN(bits, t) : BigInt.asUintN(bits, t));
  };
  switch (to) {
    case 'float32': return Math.fround(v);
    case 'float16': return f16ToF32(f32ToF16(v));
    case 'int32': case 'int64': return wrap(32, true);
    case 'int8': return wrap(8, true);
    case 'uint8': return wrap(8, false);
    case 'bool': return v !== 0 ? 1 : 0;
  }
}

/** ONNX Range by its pseudocode. */
export function rangeRef(start: number, limit: number, delta: number): number[] {
  const n = Math.max(Math.ceil((limit - start) / delta), 0), out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start + i * delta);
  return out;
}
