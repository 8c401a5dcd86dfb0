/**
 * Rounding and row quantization shared by the quantized kernels and the reference quantizers
 * in src/quant/formats (kernels import nothing from src, so this is the one definition).
 */

/** Round to nearest, ties to even: what ONNX QuantizeLinear and numpy.rint do (Math.round ties up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Symmetric int8 scale of a row: max |x| / 127, or 0 for an all-zero row. A non-finite value
 * makes the scale NaN/Infinity, which the caller turns into an error or a NaN row as it needs.
 */
export function int8Scale(x: ArrayLike<number>, off: number, n: number): number {
  let m = 0;
  for (let i = off, e = off + n; i < e; i++) {
    const v = x[i] < 0 ? -x[i] : x[i];
    if (!(v <= m)) m = v;
  }
  return m / 127;
}

/** q = clamp(roundHalfEven(x * inv), -127, 127): the row quantizer of int8 weights and dynamic activations. */
export function quantizeInt8(x: number, inv: number): number {
  const q = roundHalfEven(x * inv);
  return q > 127 ? 127 : q < -127 ? -127 : q;
}
