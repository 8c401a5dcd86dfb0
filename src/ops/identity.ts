import { defineOp } from './types.js';
import { input } from './dims.js';

export type IdentityAttrs = Record<string, never>;

export const Identity = defineOp<IdentityAttrs>({
  name: 'Identity',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },
});
