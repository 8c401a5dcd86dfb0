import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Softmax = defineOp<Record<string, never>>({
  name: 'Softmax', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Softmax is not implemented yet'); },
});
