import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Where = defineOp<Record<string, never>>({
  name: 'Where', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Where is not implemented yet'); },
});
