import { defineOp } from './types.js';
import { expectDType, input } from './dims.js';

/**
 * x (float32) -> y uint8, y_scale (float32 scalar), y_zero_point (uint8 scalar), asymmetric over
 * the range [min(0, min x), max(0, max x)]: scale = range / 255, zero point = rint(clamp(-min / scale,
 * 0, 255)), y = saturate(rint(x / scale) + zero point). A range of 0 uses scale 1 (onnxruntime).
 */
export const DynamicQuantizeLinear = defineOp<Record<string, never>>({
  name: 'DynamicQuantizeLinear',
  inputs: [1, 1],
  outputs: [3, 3],
  attributes: {},
  parse: () => ({}),
  infer(inputs) {
    const x = input(inputs, 0, 'x');
    expectDType(x, 'x', ['float32']);
    return [{ dtype: 'uint8', shape: x.shape.slice() }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }];
  },
});
