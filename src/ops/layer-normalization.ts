import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const LayerNormalization = defineOp<Record<string, never>>({
  name: 'LayerNormalization', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('LayerNormalization is not implemented yet'); },
});
