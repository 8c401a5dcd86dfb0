import { defineOp, OpError } from './types.js';
import { expectDType, input, showShape } from './dims.js';
import { Conv, type ConvAttrs } from './conv.js';

/**
 * Conv of (x - x_zero_point) by (w - w_zero_point) in int32 (2-D and 1-D, NCHW). x and w are
 * uint8 or int8; x_zero_point is a scalar (padding reads it, so padded taps contribute 0),
 * w_zero_point a scalar or one per output channel. Attributes as Conv.
 */
export const ConvInteger = defineOp<ConvAttrs>({
  name: 'ConvInteger',
  inputs: [2, 4],
  outputs: [1, 1],
  attributes: Conv.attributes,
  parse: (raw) => Conv.parse(raw),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'x'), w = input(inputs, 1, 'w'), xz = inputs[2], wz = inputs[3];
    expectDType(x, 'x', ['uint8', 'int8']);
    expectDType(w, 'w', ['uint8', 'int8']);
    if (xz && (xz.dtype !== x.dtype || xz.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 1), 1) !== 1)) {
      throw new OpError(`input x_zero_point must be one ${x.dtype} value, got ${xz.dtype} ${showShape(xz.shape)}`);
    }
    if (wz) {
      if (wz.dtype !== w.dtype) throw new OpError(`input w_zero_point must have w's type ${w.dtype}, got ${wz.dtype}`);
      if (wz.shape.length > 1 || (wz.shape.length === 1 && wz.shape[0] !== 1 && wz.shape[0] !== w.shape[0])) {
        throw new OpError(`input w_zero_point must be a scalar or one value per output channel (${w.shape[0]}), got ${showShape(wz.shape)}`);
      }
    }
    // Shapes follow Conv's rule; type it as float to reuse it.
    const [y] = Conv.infer([{ ...x, dtype: 'float32' }, { ...w, dtype: 'float32' }], attrs);
    return [{ dtype: 'int32', shape: y.shape }];
  },
});
