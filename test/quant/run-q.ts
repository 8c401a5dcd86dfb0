import { OPS, type OpName } from '../../src/ops/index.js';
import { checkAttrs } from '../../src/ops/attrs.js';
import type { OpSchema, RawAttrs } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import { allocKernel } from '../../src/dtype.js';
import type { PackedWeight } from '../../src/graph/graph.js';
import type { KernelInput } from '../util/run-kernel.js';

export type QInput = KernelInput | { packed: PackedWeight } | undefined;

/**
 * runKernel for ops with a packed weight input: the packed input reaches prepare() as
 * KMeta.packed with empty run-time data, as the CPU planner passes it.
 */
export function runQ(op: OpName, inputs: QInput[], raw: RawAttrs = {}): KTensor[] {
  const schema = OPS[op] as OpSchema<unknown>;
  checkAttrs(schema, raw);
  const attrs = schema.parse(raw);
  const types = schema.infer(inputs.map((t) => t && ('packed' in t ? { dtype: 'float32', shape: t.packed.shape.slice() } : { dtype: t.dtype, shape: t.shape.slice() })), attrs);
  const outputs: KTensor[] = types.map((t) => ({ dtype: t.dtype, shape: t.shape as number[], data: allocKernel(t.dtype, (t.shape as number[]).reduce((a, b) => a * b, 1)) }));
  const metas: KMeta[] = inputs.map((t) => (!t ? { dtype: 'float32', shape: [] } : 'packed' in t ? { dtype: 'float32', shape: t.packed.shape, packed: t.packed } : { dtype: t.dtype, shape: t.shape }));
  const kernel = CPU_KERNELS[op] as CpuKernel<unknown, unknown>;
  const prepared = kernel.prepare ? kernel.prepare(attrs, metas, outputs) : attrs;
  const bytes = kernel.scratchBytes?.(prepared, metas, outputs) ?? 0;
  const scratch = new Float32Array(Math.ceil(bytes / 8) * 2);
  const run = inputs.map((t) => (!t ? undefined : 'packed' in t ? { dtype: 'float32' as const, shape: t.packed.shape, data: new Float32Array(0) } : { ...t }));
  kernel.run(run, prepared, outputs, scratch);
  return outputs;
}
