import { defineOp } from './types.js';
import { input } from './dims.js';
import { int } from './attrs.js';
import { shapeRange } from '../../kernels/index-math.js';

/** Opset 15 start/end (end undefined: the rank). */
export interface ShapeAttrs { start: number; end: number | undefined }

export const Shape = defineOp<ShapeAttrs>({
  name: 'Shape',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { start: { type: 'int' }, end: { type: 'int' } },
  parse: (raw) => ({ start: int(raw, 'start', 0), end: raw.end as number | undefined }),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data');
    const [start, end] = shapeRange(attrs, x.shape.length);
    const dims = x.shape.slice(start, end);
    // Known dims are the output's value: this is what lets Shape -> Gather -> Concat -> Reshape
    // chains resolve at plan time.
    const known = dims.every((d) => typeof d === 'number');
    return [{ dtype: 'int64', shape: [dims.length], ...(known ? { value: Int32Array.from(dims as number[]) } : {}) }];
  },
});
