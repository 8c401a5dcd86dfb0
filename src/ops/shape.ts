import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Shape = defineOp<Record<string, never>>({
  name: 'Shape', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Shape is not implemented yet'); },
});
