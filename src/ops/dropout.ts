import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Dropout = defineOp<Record<string, never>>({
  name: 'Dropout', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Dropout is not implemented yet'); },
});
