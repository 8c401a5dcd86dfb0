import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Unsqueeze = defineOp<Record<string, never>>({
  name: 'Unsqueeze', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Unsqueeze is not implemented yet'); },
});
