import { defineOp, OpError } from './types.js';
import { expectDType, input, knownInts, normAxis } from './dims.js';
import { int } from './attrs.js';

export interface GatherAttrs { axis: number }

export const Gather = defineOp<GatherAttrs>({
  name: 'Gather',
  inputs: [2, 2],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' } },
  parse: (raw) => ({ axis: int(raw, 'axis', 0) }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), ind = input(inputs, 1, 'indices'), r = x.shape.length;
    expectDType(ind, 'indices', ['int64', 'int32']);
    if (r === 0) throw new OpError(`input data must have rank >= 1, got a scalar`);
    const axis = normAxis(attrs.axis, r, `attribute 'axis'`);
    const d = x.shape[axis], known = knownInts(ind);
    if (known && typeof d === 'number') {
      const bad = known.find((k) => k < -d || k >= d);
      if (bad !== undefined) throw new OpError(`index ${bad} is out of range for axis ${axis} of size ${d}; valid indices are ${-d}..${d - 1}`);
    }
    const shape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
    return [{ dtype: x.dtype, shape }];
  },
});
