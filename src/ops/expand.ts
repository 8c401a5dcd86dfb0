import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Expand = defineOp<Record<string, never>>({
  name: 'Expand', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Expand is not implemented yet'); },
});
