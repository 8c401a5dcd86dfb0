import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const BatchNormalization = defineOp<Record<string, never>>({
  name: 'BatchNormalization', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('BatchNormalization is not implemented yet'); },
});
