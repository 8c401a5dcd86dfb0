import { defineOp, OpError, type ValueType } from './types.js';
import { expectDType, input, showShape } from './dims.js';
import { matMulShape } from './matmul.js';

/**
 * (A - a_zero_point) @ (B - b_zero_point) in int32, numpy.matmul shapes. A and B are uint8 or
 * int8; a_zero_point is a scalar or one value per row of A (all rows of all batches, or [..., M, 1]),
 * b_zero_point a scalar or one value per column of B.
 */
export const MatMulInteger = defineOp<Record<string, never>>({
  name: 'MatMulInteger',
  inputs: [2, 4],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs) {
    const a = input(inputs, 0, 'A'), b = input(inputs, 1, 'B');
    expectDType(a, 'A', ['uint8', 'int8']);
    expectDType(b, 'B', ['uint8', 'int8']);
    if (a.shape.length === 0 || b.shape.length === 0) throw new OpError(`A and B must have rank >= 1, got ${showShape(a.shape)} and ${showShape(b.shape)}`);
    checkZeroPoint(inputs[2], a, 'a_zero_point', 'A');
    checkZeroPoint(inputs[3], b, 'b_zero_point', 'B');
    return [{ dtype: 'int32', shape: matMulShape(a.shape, b.shape) }];
  },
});

function checkZeroPoint(zp: ValueType | undefined, x: ValueType, name: string, xn: string): void {
  if (!zp) return;
  if (zp.dtype !== x.dtype) throw new OpError(`input ${name} must have ${xn}'s type ${x.dtype}, got ${zp.dtype}`);
}
