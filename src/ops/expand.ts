import { defineOp, OpError, type Dim } from './types.js';
import { broadcast, expectDType, expectRank, input, knownInts } from './dims.js';

export type ExpandAttrs = Record<string, never>;

export const Expand = defineOp<ExpandAttrs>({
  name: 'Expand',
  inputs: [2, 2],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input'), s = input(inputs, 1, 'shape');
    expectDType(s, 'shape', ['int64', 'int32']);
    expectRank(s, 'shape', 1);
    const target = knownInts(s);
    let shape: Dim[];
    if (target) {
      if (target.some((d) => d < 0)) throw new OpError(`shape [${target.join(', ')}] has a negative dimension`);
      shape = broadcast([x.shape, target]); // bidirectional: a target 1 keeps the input's dim
    } else {
      const n = s.shape[0];
      if (typeof n !== 'number') throw new OpError(`the length of the shape input (${n}) is unknown, so the output rank is too`);
      // Where the input has a dim other than 1, broadcasting can only keep it.
      const r = Math.max(n, x.shape.length);
      shape = Array.from({ length: r }, (_, i) => {
        const d: Dim | undefined = x.shape[i - (r - x.shape.length)];
        if (i < r - n) return d; // only the input covers it
        return typeof d === 'number' && d !== 1 ? d : '?';
      });
    }
    return [{ dtype: x.dtype, shape }];
  },
});
