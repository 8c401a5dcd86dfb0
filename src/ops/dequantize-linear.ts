import { defineOp, OpError } from './types.js';
import { expectDType, input } from './dims.js';
import { int } from './attrs.js';
import { checkQuantParams, rejectBlocked } from './quant-params.js';

export interface DequantizeLinearAttrs { axis: number }

/** y = (x - x_zero_point) * x_scale, per tensor or per axis; y has x_scale's float type. */
export const DequantizeLinear = defineOp<DequantizeLinearAttrs>({
  name: 'DequantizeLinear',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' }, block_size: { type: 'int' } },
  parse(raw) {
    rejectBlocked(raw);
    return { axis: int(raw, 'axis', 1) };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'x'), s = input(inputs, 1, 'x_scale'), zp = inputs[2];
    expectDType(x, 'x', ['uint8', 'int8', 'int32']);
    if (zp && zp.dtype !== x.dtype) throw new OpError(`input x_zero_point must have x's type ${x.dtype}, got ${zp.dtype}`);
    checkQuantParams(x, s, zp, attrs.axis, ['x', 'x_scale', 'x_zero_point']);
    return [{ dtype: s.dtype, shape: x.shape.slice() }];
  },
});
