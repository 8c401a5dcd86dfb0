import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Pad = defineOp<Record<string, never>>({
  name: 'Pad', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Pad is not implemented yet'); },
});
