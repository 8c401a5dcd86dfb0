import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Flatten = defineOp<Record<string, never>>({
  name: 'Flatten', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Flatten is not implemented yet'); },
});
