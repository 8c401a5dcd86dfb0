import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Concat = defineOp<Record<string, never>>({
  name: 'Concat', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Concat is not implemented yet'); },
});
