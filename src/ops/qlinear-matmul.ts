import { defineOp, OpError, type ValueType } from './types.js';
import { expectDType, input, showShape } from './dims.js';
import { matMulShape } from './matmul.js';

/**
 * Quantized MatMul: y = saturate(roundHalfEven(acc * a_scale * b_scale / y_scale) + y_zero_point),
 * acc = (a - a_zero_point) @ (b - b_zero_point) in int32; the multiplier and the product are
 * float32, as onnxruntime computes them. a's scale/zero point: scalar or per row; b's: scalar or
 * per column. Output type: y_zero_point's.
 */
export const QLinearMatMul = defineOp<Record<string, never>>({
  name: 'QLinearMatMul',
  inputs: [8, 8],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs) {
    const a = input(inputs, 0, 'a'), b = input(inputs, 3, 'b'), yz = input(inputs, 7, 'y_zero_point');
    expectDType(a, 'a', ['uint8', 'int8']);
    expectDType(b, 'b', ['uint8', 'int8']);
    expectDType(yz, 'y_zero_point', ['uint8', 'int8']);
    scaleAndZero(input(inputs, 1, 'a_scale'), input(inputs, 2, 'a_zero_point'), a, 'a');
    scaleAndZero(input(inputs, 4, 'b_scale'), input(inputs, 5, 'b_zero_point'), b, 'b');
    scaleAndZero(input(inputs, 6, 'y_scale'), yz, yz, 'y');
    if (a.shape.length === 0 || b.shape.length === 0) throw new OpError(`a and b must have rank >= 1, got ${showShape(a.shape)} and ${showShape(b.shape)}`);
    return [{ dtype: yz.dtype, shape: matMulShape(a.shape, b.shape) }];
  },
});

export function scaleAndZero(s: ValueType, z: ValueType, x: ValueType, name: string): void {
  if (s.dtype !== 'float32') throw new OpError(`input ${name}_scale must be float32, got ${s.dtype}`);
  if (z.dtype !== x.dtype) throw new OpError(`input ${name}_zero_point must have ${name}'s type ${x.dtype}, got ${z.dtype}`);
  if (s.shape.length > 1) throw new OpError(`input ${name}_scale must be a scalar or 1-D, got ${showShape(s.shape)}`);
}
