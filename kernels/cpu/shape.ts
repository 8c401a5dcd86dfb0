import type { ShapeAttrs } from '../../src/ops/shape.js';
import { cpuKernel } from '../types.js';

/** ONNX Shape's [start, end) for rank r: negatives count from the back, both clamped to [0, r]. */
export function shapeRange(attrs: ShapeAttrs, r: number): [number, number] {
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(attrs.start), end = clamp(attrs.end ?? r);
  return [start, Math.max(start, end)];
}

export const shape = cpuKernel<ShapeAttrs, number>({
  prepare: (attrs, inputs) => shapeRange(attrs, inputs[0].shape.length)[0],
  run(inputs, start, outputs) {
    const dims = inputs[0]!.shape, o = outputs[0].data;
    for (let i = 0; i < o.length; i++) o[i] = dims[start + i];
  },
});
