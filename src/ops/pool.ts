import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const GlobalAveragePool = defineOp<Record<string, never>>({
  name: 'GlobalAveragePool', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('GlobalAveragePool is not implemented yet'); },
});
export const GlobalMaxPool = defineOp<Record<string, never>>({
  name: 'GlobalMaxPool', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('GlobalMaxPool is not implemented yet'); },
});
export const AveragePool = defineOp<Record<string, never>>({
  name: 'AveragePool', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('AveragePool is not implemented yet'); },
});
export const MaxPool = defineOp<Record<string, never>>({
  name: 'MaxPool', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('MaxPool is not implemented yet'); },
});
