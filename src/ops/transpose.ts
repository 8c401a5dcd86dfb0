import { defineOp, OpError } from './types.js';
import { input, showShape } from './dims.js';
import { ints } from './attrs.js';

/** perm undefined: reverse the dims (ONNX default). */
export interface TransposeAttrs { perm: number[] | undefined }

export const Transpose = defineOp<TransposeAttrs>({
  name: 'Transpose',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { perm: { type: 'ints' } },
  parse: (raw) => ({ perm: ints(raw, 'perm')?.slice() }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), r = x.shape.length;
    const perm = resolvePerm(attrs.perm, r);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
});

/** The permutation for rank r, checked: every axis exactly once. */
export function resolvePerm(perm: readonly number[] | undefined, r: number): number[] {
  if (!perm) return Array.from({ length: r }, (_, i) => r - 1 - i);
  const seen = new Set(perm);
  if (perm.length !== r || seen.size !== r || perm.some((p) => !(p >= 0 && p < r))) {
    throw new OpError(`attribute 'perm' ${showShape(perm)} is not a permutation of 0..${r - 1} (the input has rank ${r})`);
  }
  return perm.slice();
}
