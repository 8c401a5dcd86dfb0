import { defineOp, OpError, type Dim } from './types.js';
import { input, normAxis, showShape } from './dims.js';
import { ints } from './attrs.js';
import { axesOf } from './unsqueeze.js';

/** axes: the opset < 13 attribute; from opset 13 the axes come as optional input 1. */
export interface SqueezeAttrs { axes: number[] | undefined }

export const Squeeze = defineOp<SqueezeAttrs>({
  name: 'Squeeze',
  inputs: [1, 2],
  outputs: [1, 1],
  attributes: { axes: { type: 'ints' } },
  parse: (raw) => ({ axes: ints(raw, 'axes')?.slice() }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), r = x.shape.length;
    const axes = axesOf(inputs[1], attrs.axes);
    let shape: Dim[];
    if (!axes || axes.known?.length === 0) {
      // No axes (or an empty list, as onnxruntime reads it): drop every size-1 dim. A symbolic dim is taken to be > 1 (it is, in every
      // model that leaves it symbolic); a plan with concrete shapes sees the truth.
      shape = x.shape.filter((d) => d !== 1);
    } else if (axes.known) {
      const norm = axes.known.map((a) => normAxis(a, r, 'axis'));
      if (new Set(norm).size !== norm.length) throw new OpError(`axes ${showShape(axes.known)} name the same axis twice`);
      for (const a of norm) {
        const d = x.shape[a];
        if (typeof d === 'number' && d !== 1) throw new OpError(`cannot squeeze axis ${a} of shape ${showShape(x.shape)}: its size is ${d}, not 1`);
      }
      shape = x.shape.filter((_, i) => !norm.includes(i));
    } else {
      if (axes.count > r) throw new OpError(`${axes.count} axes to squeeze but the input has rank ${r}`);
      shape = new Array<Dim>(r - axes.count).fill('?');
    }
    return [{ dtype: x.dtype, shape }];
  },
});
