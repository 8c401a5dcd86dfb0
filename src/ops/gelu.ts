import { defineOp } from './types.js';
import { expectFloat, input } from './dims.js';
import { oneOf } from './attrs.js';

export interface GeluAttrs { approximate: 'none' | 'tanh' }

/** ONNX Gelu (opset 20): x * Phi(x), or its tanh approximation. */
export const Gelu = defineOp<GeluAttrs>({
  name: 'Gelu',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { approximate: { type: 'string' } },
  parse: (raw) => ({ approximate: oneOf(raw, 'approximate', ['none', 'tanh'] as const, 'none') }),
  infer(inputs) {
    const x = input(inputs, 0, 'X');
    expectFloat(x, 'X');
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },
});
