import type { ClipAttrs } from '../../src/ops/clip.js';
import { webgpuKernel } from './types.js';
import { F32_MAX } from './snippets.js';
import { unaryDispatch } from './unary.js';

const I32_MIN = -2147483648, I32_MAX = 2147483647;

/**
 * Clip with bounds known at plan time (constants, the usual case) as a unary dispatch; computed
 * bounds fall back to the CPU. min > max gives max everywhere, as on the CPU.
 */
export const clip = webgpuKernel<ClipAttrs>({
  lower(_attrs, inputs, outputs, env) {
    const x = inputs[0]!, lo = inputs[1], hi = inputs[2];
    if ((lo && !lo.data) || (hi && !hi.data)) return { unsupported: 'Clip bounds computed at run time' };
    const float = x.dtype === 'float32' || x.dtype === 'float16';
    const [min, max] = float ? [-F32_MAX, F32_MAX] : [I32_MIN, I32_MAX];
    const h = Math.min(max, hi?.data?.[0] ?? max), l = Math.min(h, Math.max(min, lo?.data?.[0] ?? min));
    const d = unaryDispatch('Clip', x.dtype, outputs[0]!.shape, env, { lo: l, hi: h });
    return typeof d === 'string' ? { unsupported: d } : { dispatches: d ? [d] : [] };
  },
});
