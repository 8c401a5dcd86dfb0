import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Reshape = defineOp<Record<string, never>>({
  name: 'Reshape', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Reshape is not implemented yet'); },
});
