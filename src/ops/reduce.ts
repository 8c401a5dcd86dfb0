import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const ReduceMean = defineOp<Record<string, never>>({
  name: 'ReduceMean', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('ReduceMean is not implemented yet'); },
});
export const ReduceSum = defineOp<Record<string, never>>({
  name: 'ReduceSum', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('ReduceSum is not implemented yet'); },
});
export const ReduceMax = defineOp<Record<string, never>>({
  name: 'ReduceMax', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('ReduceMax is not implemented yet'); },
});
