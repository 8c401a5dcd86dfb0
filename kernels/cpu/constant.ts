import type { ConstantAttrs } from '../../src/ops/constant.js';
import { cpuKernel } from '../types.js';

/** The data was converted to kernel storage once, at parse time. */
export const constant = cpuKernel<ConstantAttrs>({
  run(_inputs, attrs, outputs) { outputs[0].data.set(attrs.data); },
});
