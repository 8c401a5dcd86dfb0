import type { DType, KernelData } from '../src/dtype.js';
import type { PackedWeight } from '../src/graph/graph.js';

/** A tensor as a kernel sees it: kernel storage (see src/dtype.ts) and a concrete shape. */
export interface KTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: KernelData;
}

/**
 * What a kernel knows at plan time about one input or output; `data` is set for constants,
 * `packed` for a constant stored in a packed (quantized or sparse) format. A packed input's
 * run-time `data` is empty: its kernel reads the packed arrays it captured in prepare().
 */
export interface KMeta {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data?: KernelData;
  readonly packed?: PackedWeight;
}

/** What a plan allows its kernels beyond the portable JavaScript ones. */
export interface PlanEnv {
  /** Kernel tiers (kernels/cpu/tiers.ts) the runner has engines for, by name; the JavaScript tier is always allowed. */
  readonly tiers?: readonly string[];
}

/**
 * A CPU kernel: a pure function over preallocated outputs.
 * `prepare` runs once per plan (per input-shape signature) and turns parsed attributes plus
 * the concrete shapes (and constant inputs, e.g. weights to pack) into what `run` needs, so
 * `run` does no parsing and no allocation. `scratchBytes` asks the planner for a temporary
 * buffer that lives in the arena for the duration of this node only.
 */
export interface CpuKernel<A, P = A> {
  prepare?(attrs: A, inputs: readonly KMeta[], outputs: readonly KMeta[], env?: PlanEnv): P;
  scratchBytes?(prepared: P, inputs: readonly KMeta[], outputs: readonly KMeta[]): number;
  run(inputs: readonly (KTensor | undefined)[], prepared: P, outputs: readonly KTensor[], scratch: Float32Array): void;
}

export function cpuKernel<A, P = A>(k: CpuKernel<A, P>): CpuKernel<A, P> { return k; }
