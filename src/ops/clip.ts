import { defineOp, OpError } from './types.js';
import type { ValueType } from './types.js';
import { expectDType, input, showShape } from './dims.js';

export type ClipAttrs = Record<string, never>;

/**
 * Clip (opset 11+): min and max are optional scalar inputs, read by the kernel at run time,
 * so they may be computed values as well as constants. min > max gives max everywhere.
 */
export const Clip = defineOp<ClipAttrs>({
  name: 'Clip',
  inputs: [1, 3],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs) {
    const x = input(inputs, 0, "'input'");
    expectDType(x, "'input'", ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8']);
    checkBound(inputs[1], 'min', x);
    checkBound(inputs[2], 'max', x);
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },
});

function checkBound(t: ValueType | undefined, name: string, x: ValueType): void {
  if (!t) return;
  if (t.dtype !== x.dtype) throw new OpError(`input ${name} must be ${x.dtype} like the input, got ${t.dtype}`);
  // ONNX says scalar; a one-element 1-D tensor is what some exporters write, so it is accepted too.
  if (t.shape.length > 1 || (t.shape.length === 1 && t.shape[0] !== 1)) throw new OpError(`input ${name} must be a scalar, got shape ${showShape(t.shape)}`);
}
