import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Gather = defineOp<Record<string, never>>({
  name: 'Gather', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Gather is not implemented yet'); },
});
