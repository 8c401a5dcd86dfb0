import { defineOp, OpError } from './types.js';
import { broadcast, input } from './dims.js';

export type WhereAttrs = Record<string, never>;

export const Where = defineOp<WhereAttrs>({
  name: 'Where',
  inputs: [3, 3],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const c = input(inputs, 0, 'condition'), x = input(inputs, 1, 'X'), y = input(inputs, 2, 'Y');
    if (c.dtype !== 'bool') throw new OpError(`input condition must be bool, got ${c.dtype}`);
    if (x.dtype !== y.dtype) throw new OpError(`inputs X and Y must have the same dtype, got ${x.dtype} and ${y.dtype}`);
    return [{ dtype: x.dtype, shape: broadcast([c.shape, x.shape, y.shape]) }];
  },
});
