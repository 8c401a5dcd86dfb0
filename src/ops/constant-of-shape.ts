import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const ConstantOfShape = defineOp<Record<string, never>>({
  name: 'ConstantOfShape', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('ConstantOfShape is not implemented yet'); },
});
