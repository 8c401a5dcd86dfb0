import { defineOp, OpError, type Dim } from './types.js';
import { input } from './dims.js';
import { int } from './attrs.js';

export interface FlattenAttrs { axis: number }

export const Flatten = defineOp<FlattenAttrs>({
  name: 'Flatten',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' } },
  parse: (raw) => ({ axis: int(raw, 'axis', 1) }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input'), r = x.shape.length;
    // Flatten's axis may equal the rank (everything goes into the first output dim).
    const axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    if (!(axis >= 0 && axis <= r)) throw new OpError(`attribute 'axis' ${attrs.axis} is out of range for rank ${r} (allowed ${-r}..${r})`);
    const shape = [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))];
    return [{ dtype: x.dtype, shape }];
  },
});

/** Product of dims; one symbolic dim alone keeps its name, a product involving symbols is '?'. */
function product(dims: readonly Dim[]): Dim {
  let n = 1;
  const syms = dims.filter((d) => typeof d === 'string');
  for (const d of dims) if (typeof d === 'number') n *= d;
  if (syms.length === 0 || n === 0) return n;
  return syms.length === 1 && n === 1 ? syms[0] : '?';
}
