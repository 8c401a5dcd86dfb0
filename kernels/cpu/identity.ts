import type { KernelData } from '../../src/dtype.js';
import type { IdentityAttrs } from '../../src/ops/identity.js';
import { cpuKernel, type KTensor } from '../types.js';

/**
 * Copy n elements. A subarray view is an allocation, so views (and the memcpy behind `set`)
 * are used only for runs long enough to amortise one; short runs are a plain loop.
 */
export function copyRun(src: KernelData, si: number, dst: KernelData, di: number, n: number): void {
  if (n >= 32) dst.set(src.subarray(si, si + n), di);
  else for (let i = 0; i < n; i++) dst[di + i] = src[si + i];
}

/** The whole of input 0 into output 0 (same size); nothing to do when the planner aliased them. */
export function copyInput(inputs: readonly (KTensor | undefined)[], _p: unknown, outputs: readonly KTensor[]): void {
  const src = inputs[0]!.data, dst = outputs[0].data;
  if (src !== dst) dst.set(src);
}

export const identity = cpuKernel<IdentityAttrs>({ run: copyInput });
