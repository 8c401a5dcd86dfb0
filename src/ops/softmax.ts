import { defineOp, OpError } from './types.js';
import { expectFloat, input, normAxis } from './dims.js';
import { int } from './attrs.js';

export interface SoftmaxAttrs { axis: number }

/** Softmax along one axis (opset 13 semantics; opset < 13 flattened from `axis` on, not supported). */
export const Softmax = defineOp<SoftmaxAttrs>({
  name: 'Softmax',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' } },
  parse: (raw) => ({ axis: int(raw, 'axis', -1) }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, "'input'");
    expectFloat(x, "'input'");
    if (x.shape.length === 0) throw new OpError('input must have rank >= 1, got a scalar');
    normAxis(attrs.axis, x.shape.length, 'attribute axis');
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },
});
