import type { ShapeAttrs } from '../../src/ops/shape.js';
import { cpuKernel } from '../types.js';
import { shapeRange } from '../index-math.js';


export const shape = cpuKernel<ShapeAttrs, number>({
  prepare: (attrs, inputs) => shapeRange(attrs, inputs[0].shape.length)[0],
  run(inputs, start, outputs) {
    const dims = inputs[0]!.shape, o = outputs[0].data;
    for (let i = 0; i < o.length; i++) o[i] = dims[start + i];
  },
});
