import type { DropoutAttrs } from '../../src/ops/dropout.js';
import { cpuKernel } from '../types.js';
import { copyInput } from './identity.js';

/** Inference: output = data, mask (when asked for) all true. */
export const dropout = cpuKernel<DropoutAttrs>({
  run(inputs, attrs, outputs) {
    if (inputs[2]?.data[0]) throw new Error('Dropout: training_mode=true is not supported: Tessera runs inference only');
    copyInput(inputs, attrs, outputs);
    outputs[1]?.data.fill(1);
  },
});
