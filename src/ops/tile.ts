import { defineOp, OpError, type Dim } from './types.js';
import { expectDType, expectRank, input, knownInts, showShape } from './dims.js';

export type TileAttrs = Record<string, never>;

export const Tile = defineOp<TileAttrs>({
  name: 'Tile',
  inputs: [2, 2],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input'), rep = input(inputs, 1, 'repeats'), r = x.shape.length;
    expectDType(rep, 'repeats', ['int64', 'int32']);
    expectRank(rep, 'repeats', 1);
    if (typeof rep.shape[0] === 'number' && rep.shape[0] !== r) throw new OpError(`repeats must have one value per input axis (${r}), got ${rep.shape[0]}`);
    const reps = knownInts(rep);
    if (reps?.some((k) => k < 0)) throw new OpError(`repeats ${showShape(reps)} must be >= 0`);
    const shape: Dim[] = x.shape.map((d, a) => {
      const k = reps?.[a];
      if (d === 0 || k === 0) return 0;
      if (k === 1) return d;
      return typeof d === 'number' && k !== undefined ? d * k : '?';
    });
    return [{ dtype: x.dtype, shape }];
  },
});
