import { defineOp, OpError } from './types.js';
import { expectDType, expectRank, input } from './dims.js';
import { int } from './attrs.js';

export interface QGatherAttrs { axis: 0 }

/**
 * Internal (domain 'tessera', made by quantize()): Gather of rows from a packed int8 or int4
 * embedding table [V, H] quantized per row, dequantized as they are copied out. Only axis 0.
 */
export const QGather = defineOp<QGatherAttrs>({
  name: 'QGather',
  domain: 'tessera',
  inputs: [2, 2],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' } },
  parse(raw) {
    const axis = int(raw, 'axis', 0);
    if (axis !== 0) throw new OpError(`attribute 'axis' must be 0 (rows of a quantized table), got ${axis}`);
    return { axis: 0 };
  },
  infer(inputs) {
    const data = input(inputs, 0, 'data'), ind = input(inputs, 1, 'indices');
    if (data.dtype !== 'float32') throw new OpError(`input data must be a packed weight (typed float32), got ${data.dtype}`);
    expectRank(data, 'data', 2);
    expectDType(ind, 'indices', ['int64', 'int32']);
    return [{ dtype: 'float32', shape: [...ind.shape, data.shape[1]] }];
  },
});
