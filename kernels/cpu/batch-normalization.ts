import type { BatchNormalizationAttrs } from '../../src/ops/batch-normalization.js';
import { cpuKernel } from '../types.js';

interface BatchNormPlan { N: number; C: number; S: number; epsilon: number }

/**
 * Per channel y = x * a + b with a = scale / sqrt(var + eps), b = B - mean * a, computed in
 * float64 once per channel per run (C square roots: nothing next to the N*C*S loop), so
 * non-constant statistics need neither scratch nor a prepare-time copy.
 */
export const batchNormalization = cpuKernel<BatchNormalizationAttrs, BatchNormPlan>({
  prepare(attrs, inputs) {
    const x = inputs[0].shape;
    return { N: x[0], C: x[1], S: x.slice(2).reduce((a, b) => a * b, 1), epsilon: attrs.epsilon };
  },
  run(inputs, { N, C, S, epsilon }, outputs) {
    const x = inputs[0]!.data, scale = inputs[1]!.data, bias = inputs[2]!.data, mean = inputs[3]!.data, variance = inputs[4]!.data;
    const y = outputs[0].data;
    for (let c = 0; c < C; c++) {
      const a = scale[c] / Math.sqrt(variance[c] + epsilon), b = bias[c] - mean[c] * a;
      for (let n = 0; n < N; n++) {
        const off = (n * C + c) * S, end = off + S;
        for (let i = off; i < end; i++) y[i] = x[i] * a + b;
      }
    }
  },
});
