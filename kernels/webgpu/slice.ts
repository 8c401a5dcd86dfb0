import type { SliceAttrs } from '../../src/ops/slice.js';
import { resolveSlice } from '../index-math.js';
import { storageType, webgpuKernel } from './types.js';
import { stridedCopy } from './strided-copy.js';

/** Slice with starts/ends/axes/steps known at plan time: one strided copy. Run-time bounds fall back. */
export const slice = webgpuKernel<SliceAttrs>({
  lower(_attrs, inputs, _outputs, env) {
    const x = inputs[0]!, r = x.shape.length;
    if (inputs.slice(1).some((t) => t && !t.data)) return { unsupported: 'Slice bounds computed at run time' };
    const start = new Int32Array(r), step = new Int32Array(r), count = new Int32Array(r);
    const err = resolveSlice(x.shape, inputs[1]!.data!, inputs[2]!.data!, inputs[3]?.data, inputs[4]?.data, start, step, count);
    if (err) return { unsupported: err };
    const inStride = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const base = inStride.reduce((acc, s, i) => acc + start[i] * s, 0);
    const d = stridedCopy(storageType(x.dtype, env.f16), Array.from(count), inStride.map((s, i) => s * step[i]), base, env);
    return { dispatches: d ? [d] : [] };
  },
});
