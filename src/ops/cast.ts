import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Cast = defineOp<Record<string, never>>({
  name: 'Cast', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Cast is not implemented yet'); },
});
