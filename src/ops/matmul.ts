import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const MatMul = defineOp<Record<string, never>>({
  name: 'MatMul', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('MatMul is not implemented yet'); },
});
