import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Constant = defineOp<Record<string, never>>({
  name: 'Constant', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Constant is not implemented yet'); },
});
