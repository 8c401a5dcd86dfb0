import { defineOp, OpError, type Dim, type ValueType } from './types.js';
import { expectDType, expectRank, input, knownInts, normAxis, showShape } from './dims.js';
import { ints } from './attrs.js';

/** axes: the opset < 13 attribute; from opset 13 the axes come as input 1. */
export interface UnsqueezeAttrs { axes: number[] | undefined }

export const Unsqueeze = defineOp<UnsqueezeAttrs>({
  name: 'Unsqueeze',
  inputs: [1, 2],
  outputs: [1, 1],
  attributes: { axes: { type: 'ints' } },
  parse: (raw) => ({ axes: ints(raw, 'axes')?.slice() }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data');
    const axes = axesOf(inputs[1], attrs.axes);
    if (!axes) throw new OpError(`axes are required (input 1, or the attribute before opset 13)`);
    let shape: Dim[];
    if (axes.known) {
      const r = x.shape.length + axes.known.length;
      const norm = axes.known.map((a) => normAxis(a, r, 'axis'));
      if (new Set(norm).size !== norm.length) throw new OpError(`axes ${showShape(axes.known)} name the same axis twice (output rank ${r})`);
      shape = [];
      for (let i = 0, k = 0; i < r; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]);
    } else {
      shape = new Array<Dim>(x.shape.length + axes.count).fill('?');
    }
    return [{ dtype: x.dtype, shape }];
  },
});

/**
 * Axes from input 1 (opset 13+) or the attribute (older opsets): their values when known, else
 * how many there are (Unsqueeze needs that for the output rank); undefined when absent.
 */
export function axesOf(t: ValueType | undefined, attr: number[] | undefined): { known?: number[]; count: number } | undefined {
  if (t && attr) throw new OpError(`give axes either as input 1 or as the attribute, not both`);
  if (attr) return { known: attr, count: attr.length };
  if (!t) return undefined;
  expectDType(t, 'axes', ['int64', 'int32']);
  expectRank(t, 'axes', [0, 1]);
  const known = knownInts(t);
  if (known) return { known, count: known.length };
  const n = t.shape.length === 0 ? 1 : t.shape[0];
  if (typeof n !== 'number') throw new OpError(`the number of axes (${n}) is unknown, so the output rank is too`);
  return { count: n };
}
