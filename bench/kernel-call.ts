import { OPS, type OpName } from '../src/ops/index.js';
import type { RawAttrs } from '../src/ops/types.js';
import type { PackedWeight } from '../src/graph/graph.js';
import { CPU_KERNELS } from '../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor, PlanEnv } from '../kernels/types.js';
import type { ParallelGemm } from '../kernels/cpu/parallel.js';

/** A float32 input as a kernel bench gives it: activations or a constant weight (`data`), or a packed weight. */
export interface BenchInput { shape: number[]; data?: Float32Array; packed?: PackedWeight }

/**
 * One kernel prepared as a session prepares it (constant weight data and packed weights seen
 * at plan time), for timing the kernel alone: run(par) runs it on one thread, or split by
 * `par`. `alloc` makes the output and scratch arrays (shared memory when threads take part);
 * `env` the tiers the plan may use (with 'wasm-simd', run() must get a SimdParallel as `par`).
 */
export function kernelCall(op: OpName, raw: RawAttrs, inputs: readonly BenchInput[], alloc: (n: number) => Float32Array = (n) => new Float32Array(n), env?: PlanEnv): { run: (par?: ParallelGemm) => void; out: Float32Array } {
  const schema = OPS[op] as unknown as { parse(r: RawAttrs): unknown; infer(i: unknown[], a: unknown): { shape: number[] }[] };
  const attrs = schema.parse(raw);
  const [t] = schema.infer(inputs.map((i) => ({ dtype: 'float32', shape: i.shape })), attrs);
  const out: KTensor = { dtype: 'float32', shape: t.shape, data: alloc(t.shape.reduce((a, b) => a * b, 1)) };
  const metas: KMeta[] = inputs.map((i) => ({ dtype: 'float32', shape: i.shape, ...(i.packed ? { packed: i.packed } : { data: i.data }) }));
  const k = CPU_KERNELS[op] as CpuKernel<unknown, unknown>, p = k.prepare ? k.prepare(attrs, metas, [out], env) : attrs;
  const scratch = alloc(Math.ceil((k.scratchBytes?.(p, metas, [out]) ?? 0) / 8) * 2);
  const ins: KTensor[] = inputs.map((i) => ({ dtype: 'float32', shape: i.shape, data: i.data ?? new Float32Array(0) }));
  return { run: (par) => (k.run as (...a: unknown[]) => void)(ins, p, [out], scratch, par), out: out.data as Float32Array };
}
