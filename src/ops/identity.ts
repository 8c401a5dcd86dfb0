import { defineOp } from './types.js';
import { input, propagate, viaKernel } from './dims.js';
import { identity } from '../../kernels/cpu/identity.js';

export type IdentityAttrs = Record<string, never>;

export const Identity = defineOp<IdentityAttrs>({
  name: 'Identity',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input');
    return propagate(inputs, [{ dtype: x.dtype, shape: x.shape.slice() }], viaKernel(identity, attrs));
  },
});
