import { defineOp, OpError, type Dim, type ValueType } from './types.js';
import { input, normAxis, showShape } from './dims.js';

export interface ConcatAttrs { axis: number }

export const Concat = defineOp<ConcatAttrs>({
  name: 'Concat',
  inputs: [1, Infinity],
  outputs: [1, 1],
  attributes: { axis: { type: 'int', required: true } },
  parse: (raw) => ({ axis: raw.axis as number }),
  infer(inputs, attrs) {
    const xs: ValueType[] = inputs.map((_, i) => input(inputs, i, `inputs[${i}]`));
    if (xs.length === 0) throw new OpError(`needs at least one input`);
    const first = xs[0], r = first.shape.length;
    if (r === 0) throw new OpError(`cannot concatenate scalars (input 0 has shape [])`);
    const axis = normAxis(attrs.axis, r, `attribute 'axis'`);
    const shape: Dim[] = first.shape.slice();
    let sum: Dim = 0;
    xs.forEach((t, i) => {
      if (t.dtype !== first.dtype) throw new OpError(`all inputs must have one dtype: input 0 is ${first.dtype}, input ${i} is ${t.dtype}`);
      if (t.shape.length !== r) throw new OpError(`all inputs must have the same rank: input 0 is ${showShape(first.shape)}, input ${i} is ${showShape(t.shape)}`);
      t.shape.forEach((d, k) => {
        if (k === axis) return;
        const e = shape[k];
        if (typeof d === 'number' && typeof e === 'number' && d !== e) {
          throw new OpError(`inputs differ outside axis ${axis}: input 0 is ${showShape(first.shape)}, input ${i} is ${showShape(t.shape)} (dimension ${k})`);
        }
        if (typeof e === 'string' && typeof d === 'number') shape[k] = d;
      });
      const d = t.shape[axis];
      sum = typeof sum === 'number' && typeof d === 'number' ? sum + d : d === 0 ? sum : sum === 0 ? d : '?';
    });
    shape[axis] = sum;
    return [{ dtype: first.dtype, shape }];
  },
});
