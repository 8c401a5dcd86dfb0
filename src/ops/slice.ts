import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Slice = defineOp<Record<string, never>>({
  name: 'Slice', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Slice is not implemented yet'); },
});
