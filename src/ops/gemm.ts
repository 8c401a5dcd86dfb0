import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Gemm = defineOp<Record<string, never>>({
  name: 'Gemm', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Gemm is not implemented yet'); },
});
