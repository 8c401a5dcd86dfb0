import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Gelu = defineOp<Record<string, never>>({
  name: 'Gelu', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Gelu is not implemented yet'); },
});
