import { defineOp, OpError, type Dim } from './types.js';
import { expectDType, expectRank, input, knownInts } from './dims.js';
import { resolveSlice } from '../../kernels/index-math.js';

/** Opset 13: everything comes as inputs (starts, ends, optional axes and steps). */
export type SliceAttrs = Record<string, never>;

/** Stand-in size for a symbolic dim: big enough that only "take it whole" keeps it whole. */
const SYMBOLIC = 2 ** 30;

export const Slice = defineOp<SliceAttrs>({
  name: 'Slice',
  inputs: [3, 5],
  outputs: [1, 1],
  attributes: {},
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), r = x.shape.length;
    const names = ['data', 'starts', 'ends', 'axes', 'steps'];
    for (let i = 1; i < 5; i++) {
      const t = i < 3 ? input(inputs, i, names[i]) : inputs[i];
      if (!t) continue;
      expectDType(t, names[i], ['int64', 'int32']);
      expectRank(t, names[i], 1);
    }
    const starts = knownInts(inputs[1]), ends = knownInts(inputs[2]);
    const axes = knownInts(inputs[3]), steps = knownInts(inputs[4]);
    let shape: Dim[];
    if (starts && ends && (!inputs[3] || axes) && (!inputs[4] || steps)) {
      const dims = x.shape.map((d) => (typeof d === 'number' ? d : SYMBOLIC));
      const start = new Int32Array(r), step = new Int32Array(r), count = new Int32Array(r);
      const err = resolveSlice(dims, starts, ends, axes, steps, start, step, count);
      if (err) throw new OpError(err);
      shape = x.shape.map((d, a) => (typeof d === 'number' ? count[a] : start[a] === 0 && step[a] === 1 && count[a] === SYMBOLIC ? d : '?'));
    } else if (axes) {
      shape = x.shape.slice();
      for (const a of axes) if (a >= -r && a < r) shape[a < 0 ? a + r : a] = '?';
    } else shape = x.shape.map(() => '?');
    return [{ dtype: x.dtype, shape }];
  },
});
