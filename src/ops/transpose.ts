import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Transpose = defineOp<Record<string, never>>({
  name: 'Transpose', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Transpose is not implemented yet'); },
});
