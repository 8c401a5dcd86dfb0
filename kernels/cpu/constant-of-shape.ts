import type { ConstantOfShapeAttrs } from '../../src/ops/constant-of-shape.js';
import { cpuKernel } from '../types.js';

export const constantOfShape = cpuKernel<ConstantOfShapeAttrs>({
  run(_inputs, attrs, outputs) { outputs[0].data.fill(attrs.value); },
});
