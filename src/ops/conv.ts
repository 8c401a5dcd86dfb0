import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Conv = defineOp<Record<string, never>>({
  name: 'Conv', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Conv is not implemented yet'); },
});
