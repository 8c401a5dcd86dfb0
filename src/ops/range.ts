import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Range = defineOp<Record<string, never>>({
  name: 'Range', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Range is not implemented yet'); },
});
