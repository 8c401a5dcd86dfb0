import { OPS, type OpName } from '../../src/ops/index.js';
import { checkAttrs } from '../../src/ops/attrs.js';
import type { OpSchema, RawAttrs, ValueType } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import { allocKernel, type DType, type KernelData } from '../../src/dtype.js';
import { isStatic } from '../../src/ops/dims.js';

export interface KernelInput { dtype: DType; shape: number[]; data: KernelData }

/**
 * Run one op's CPU kernel outside any graph: parse attributes, infer output types, allocate,
 * prepare, run. `constants` lists input indices the kernel may treat as plan-time constants
 * (as weights are in a session), so prepare-time packing paths get exercised too.
 */
export function runKernel(op: OpName, inputs: (KernelInput | undefined)[], raw: RawAttrs = {}, opts: { constants?: number[] } = {}): KTensor[] {
  const schema = OPS[op] as OpSchema<unknown>;
  checkAttrs(schema, raw);
  const attrs = schema.parse(raw);
  const types = schema.infer(inputs.map((t): ValueType | undefined => t && { dtype: t.dtype, shape: t.shape.slice(), value: t.data }), attrs);
  const outputs: KTensor[] = types.map((t) => {
    if (!isStatic(t.shape)) throw new Error(`${op}: output shape [${t.shape}] is not static`);
    return { dtype: t.dtype, shape: t.shape, data: allocKernel(t.dtype, t.shape.reduce((a, b) => a * b, 1)) };
  });
  const consts = new Set(opts.constants ?? []);
  const metas: KMeta[] = inputs.map((t, i) => (t ? { dtype: t.dtype, shape: t.shape, ...(consts.has(i) ? { data: t.data } : {}) } : { dtype: 'float32', shape: [] }));
  const kernel = CPU_KERNELS[op] as CpuKernel<unknown, unknown>;
  const prepared = kernel.prepare ? kernel.prepare(attrs, metas, outputs) : attrs;
  const scratch = new Float32Array(Math.ceil((kernel.scratchBytes?.(prepared, metas, outputs) ?? 0) / 4));
  kernel.run(inputs.map((t) => t && { ...t }), prepared, outputs, scratch);
  return outputs;
}
