import { defineOp, OpError } from './types.js';

// STUB: replaced by the real schema.
export const Tile = defineOp<Record<string, never>>({
  name: 'Tile', inputs: [0, 99], outputs: [1, 99], attributes: {},
  parse: () => ({}),
  infer() { throw new OpError('Tile is not implemented yet'); },
});
