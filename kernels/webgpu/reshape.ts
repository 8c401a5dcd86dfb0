import { webgpuKernel } from './types.js';

/**
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity and Dropout (inference) change the shape, never
 * the bytes: their output is their input's buffer under a new shape, no copy and no dispatch.
 */
export const reshapeAlias = webgpuKernel<unknown>({
  lower(_attrs, _inputs, outputs) {
    // Dropout's mask, when the graph uses it, is a real tensor: the CPU writes it.
    if (outputs.length > 1 && outputs.slice(1).some(Boolean)) return { unsupported: 'Dropout mask output' };
    return { alias: 0 };
  },
});
