import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Split = defineOp<Record<string, never>>({
  name: 'Split', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Split is not implemented yet'); },
});
