import type { GeluAttrs } from '../../src/ops/gelu.js';
import { webgpuKernel } from './types.js';
import { unaryDispatch } from './unary.js';

/** Gelu (exact, through the same erf as the CPU kernel, or the tanh approximation): a unary dispatch. */
export const gelu = webgpuKernel<GeluAttrs>({
  lower(attrs, inputs, outputs, env) {
    const d = unaryDispatch(attrs.approximate === 'tanh' ? 'GeluTanh' : 'Gelu', inputs[0]!.dtype, outputs[0]!.shape, env);
    return typeof d === 'string' ? { unsupported: d } : { dispatches: d ? [d] : [] };
  },
});
