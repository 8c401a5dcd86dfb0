import { defineOp, OpError } from './types.js';
import { expectDType, input, showShape, sizeOf, isStatic } from './dims.js';
import { rangeLength } from '../../kernels/index-math.js';

export type RangeAttrs = Record<string, never>;

export const Range = defineOp<RangeAttrs>({
  name: 'Range',
  inputs: [3, 3],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const names = ['start', 'limit', 'delta'];
    const ts = names.map((n, i) => input(inputs, i, n));
    ts.forEach((t, i) => {
      expectDType(t, names[i], ['float32', 'float16', 'int32', 'int64']);
      if (t.dtype !== ts[0].dtype) throw new OpError(`start, limit and delta must have one dtype, got ${ts.map((u) => u.dtype).join(', ')}`);
      // ONNX says scalars; exporters sometimes give [1].
      if (!isStatic(t.shape) || sizeOf(t.shape) !== 1) throw new OpError(`input ${names[i]} must be a scalar, got shape ${showShape(t.shape)}`);
    });
    const [start, limit, delta] = ts.map((t) => t.value?.[0]);
    if (delta === 0) throw new OpError(`delta is 0`);
    const n = start !== undefined && limit !== undefined && delta !== undefined ? rangeLength(start, limit, delta) : '?';
    return [{ dtype: ts[0].dtype, shape: [n] }];
  },
});
