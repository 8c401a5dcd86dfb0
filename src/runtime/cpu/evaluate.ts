import type { ParsedNode } from '../../graph/analyze.js';
import type { ValueType } from '../../ops/types.js';
import { allocKernel, type KernelData } from '../../dtype.js';
import { CPU_KERNELS } from '../../../kernels/cpu/index.js';
import type { CpuKernel, KTensor } from '../../../kernels/types.js';
import type { OpName } from '../../ops/index.js';

/** Runs one node on known inputs with the CPU kernel (plan-time constant folding). */
export function evaluateOnCpu(pn: ParsedNode, inputs: readonly (ValueType | undefined)[], outputs: readonly ValueType[]): KernelData[] {
  const kernel = CPU_KERNELS[pn.node.op as OpName] as CpuKernel<unknown, unknown>;
  const ins = inputs.map((t) => t && { dtype: t.dtype, shape: t.shape as number[], data: t.value! });
  const outs: KTensor[] = outputs.map((t) => ({ dtype: t.dtype, shape: t.shape as number[], data: allocKernel(t.dtype, (t.shape as number[]).reduce((a, b) => a * b, 1)) }));
  const metas = inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape as number[], data: t.value } : { dtype: 'float32' as const, shape: [] }));
  const prepared = kernel.prepare ? kernel.prepare(pn.attrs, metas, outs) : pn.attrs;
  const scratch = new Float32Array(Math.ceil((kernel.scratchBytes?.(prepared, metas, outs) ?? 0) / 4));
  kernel.run(ins, prepared, outs, scratch);
  return outs.map((t) => t.data);
}
