import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Identity = defineOp<Record<string, never>>({
  name: 'Identity', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Identity is not implemented yet'); },
});
