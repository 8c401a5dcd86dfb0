import type { TransposeAttrs } from '../../src/ops/transpose.js';
import { storageType, webgpuKernel } from './types.js';
import { stridedCopy } from './strided-copy.js';

/**
 * Transpose as a strided copy: the output dims read the input through the permuted strides.
 * When the permutation only moves size-1 dims the memory order is unchanged, and the transpose is
 * a reshape: no copy, no dispatch.
 */
export function keepsOrder(shape: readonly number[], perm: readonly number[]): boolean {
  const kept = perm.filter((p) => shape[p] !== 1);
  return kept.every((p, i) => i === 0 || kept[i - 1] < p);
}

export const transpose = webgpuKernel<TransposeAttrs>({
  lower(attrs, inputs, _outputs, env) {
    // The schema checked perm at load time; absent means reversed dims (ONNX default).
    const x = inputs[0]!, r = x.shape.length, perm = attrs.perm ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    if (keepsOrder(x.shape, perm)) return { alias: 0 };
    const inStride = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const d = stridedCopy(storageType(x.dtype, env.f16), perm.map((p) => x.shape[p]), perm.map((p) => inStride[p]), 0, env);
    return { dispatches: d ? [d] : [] };
  },
});
