import { defineOp, OpError } from './types.js';
import { expectDType, input, showShape } from './dims.js';
import { Conv, type ConvAttrs } from './conv.js';
import { scaleAndZero } from './qlinear-matmul.js';

/**
 * Quantized Conv: y = saturate(roundHalfEven((acc + B[m]) * x_scale * w_scale[m] / y_scale) + y_zero_point),
 * acc the int32 conv of (x - x_zero_point) by (w - w_zero_point[m]); w's scale and zero point
 * per tensor or per output channel; B int32 [M] (quantized with scale x_scale * w_scale, zero 0).
 * Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?.
 */
export const QLinearConv = defineOp<ConvAttrs>({
  name: 'QLinearConv',
  inputs: [8, 9],
  outputs: [1, 1],
  attributes: Conv.attributes,
  parse: (raw) => Conv.parse(raw),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'x'), w = input(inputs, 3, 'w'), yz = input(inputs, 7, 'y_zero_point'), b = inputs[8];
    expectDType(x, 'x', ['uint8', 'int8']);
    expectDType(w, 'w', ['uint8', 'int8']);
    expectDType(yz, 'y_zero_point', ['uint8', 'int8']);
    scaleAndZero(input(inputs, 1, 'x_scale'), input(inputs, 2, 'x_zero_point'), x, 'x');
    scaleAndZero(input(inputs, 4, 'w_scale'), input(inputs, 5, 'w_zero_point'), w, 'w');
    scaleAndZero(input(inputs, 6, 'y_scale'), yz, yz, 'y');
    if (b) {
      if (b.dtype !== 'int32') throw new OpError(`input B must be int32 (quantized with scale x_scale * w_scale), got ${b.dtype}`);
      if (b.shape.length !== 1 || (typeof b.shape[0] === 'number' && b.shape[0] !== w.shape[0])) throw new OpError(`input B must be 1-D with one value per output channel (${w.shape[0]}), got ${showShape(b.shape)}`);
    }
    const [y] = Conv.infer([{ ...x, dtype: 'float32' }, { ...w, dtype: 'float32' }], attrs);
    return [{ dtype: yz.dtype, shape: y.shape }];
  },
});
