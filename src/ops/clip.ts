import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Clip = defineOp<Record<string, never>>({
  name: 'Clip', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Clip is not implemented yet'); },
});
