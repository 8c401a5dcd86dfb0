import type { DType } from '../dtype.js';
import { OpError, type ValueType } from './types.js';
import { isStatic, normAxis, showShape } from './dims.js';

/**
 * Scale / zero-point operands of the ONNX linear quantization ops: per tensor (a scalar or a
 * one-element 1-D tensor) or per axis (1-D, one value per position of `axis` of the data).
 * Blocked quantization (opset 21 block_size) is not supported and is rejected by the schemas.
 */
export interface QuantParams {
  /** Normalized axis, or -1 for per-tensor. */
  axis: number;
}

export function checkQuantParams(x: ValueType, scale: ValueType, zp: ValueType | undefined, axisAttr: number, names: [string, string, string]): QuantParams {
  const [xn, sn, zn] = names;
  if (scale.dtype !== 'float32' && scale.dtype !== 'float16') throw new OpError(`input ${sn} must be float32 or float16, got ${scale.dtype}`);
  if (scale.shape.length > 1) throw new OpError(`input ${sn} must be a scalar or 1-D (per axis), got shape ${showShape(scale.shape)}; blocked quantization is not supported`);
  if (zp) {
    if (zp.shape.length !== scale.shape.length || zp.shape.some((d, i) => typeof d === 'number' && typeof scale.shape[i] === 'number' && d !== scale.shape[i])) {
      throw new OpError(`input ${zn} must have the shape of ${sn} ${showShape(scale.shape)}, got ${showShape(zp.shape)}`);
    }
  }
  const n = scale.shape.length === 0 ? 1 : scale.shape[0];
  if (scale.shape.length === 0 || n === 1) return { axis: -1 };
  const axis = normAxis(axisAttr, x.shape.length, `attribute 'axis'`);
  const d = x.shape[axis];
  if (typeof d === 'number' && typeof n === 'number' && d !== n) {
    throw new OpError(`per-axis ${sn} has ${n} values but ${xn} ${showShape(x.shape)} has ${d} along axis ${axis}`);
  }
  return { axis };
}

/** Saturation range of an integer quantized type. */
export function qRange(dtype: DType): [number, number] {
  switch (dtype) {
    case 'uint8': return [0, 255];
    case 'int8': return [-128, 127];
    case 'int32': return [-2147483648, 2147483647];
    default: throw new OpError(`${dtype} is not a quantized integer type (uint8, int8, int32)`);
  }
}

export function rejectBlocked(raw: Readonly<Record<string, unknown>>): void {
  const b = raw.block_size as number | undefined;
  if (b !== undefined && b !== 0) throw new OpError(`attribute 'block_size' = ${b}: blocked quantization (opset 21) is not supported; use per-tensor or per-axis scales`);
}

/** Per-axis geometry of a static shape: data viewed as [outer, d, inner] around `axis`. */
export function axisGeometry(shape: readonly number[], axis: number): { d: number; inner: number } {
  if (axis < 0) return { d: 1, inner: shape.reduce((a, b) => a * b, 1) };
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { d: shape[axis], inner };
}

export function staticOrThrow(shape: ValueType['shape'], what: string): number[] {
  if (!isStatic(shape)) throw new OpError(`${what} needs a static shape, got ${showShape(shape)}`);
  return shape;
}
