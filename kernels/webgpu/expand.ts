import type { ExpandAttrs } from '../../src/ops/expand.js';
import { storageType, webgpuKernel } from './types.js';
import { stridedCopy } from './strided-copy.js';

/** Expand: a strided copy with stride 0 along the broadcast dims. */
export const expand = webgpuKernel<ExpandAttrs>({
  lower(_attrs, inputs, outputs, env) {
    const x = inputs[0]!.shape, y = outputs[0]!.shape, r = y.length;
    const strides = y.map((_, i) => {
      const k = i - (r - x.length);
      return k < 0 || x[k] === 1 ? 0 : x.slice(k + 1).reduce((a, b) => a * b, 1);
    });
    const d = stridedCopy(storageType(inputs[0]!.dtype, env.f16), y, strides, 0, env);
    return { dispatches: d ? [d] : [] };
  },
});
