import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Squeeze = defineOp<Record<string, never>>({
  name: 'Squeeze', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Squeeze is not implemented yet'); },
});
