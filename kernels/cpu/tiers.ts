import type { CpuKernel, KMeta } from '../types.js';

/**
 * One implementation of an op among several: the portable JavaScript kernels today; a
 * WebAssembly SIMD tier is meant to slot in ahead of them. `available` asks the JavaScript
 * engine (e.g. whether it validates a SIMD module), `supports` the node (attributes, shapes,
 * dtypes); both default to yes.
 */
export interface KernelTier<A> {
  name: string;
  available?: () => boolean;
  supports?: (attrs: A, inputs: readonly KMeta[], outputs: readonly KMeta[]) => boolean;
  kernel: CpuKernel<A, unknown>;
}

/** What a tiered kernel's prepare() returns: the chosen tier and that tier's own plan. */
export interface TieredPlan<A> { tier: KernelTier<A>; prepared: unknown }

type RunWithPool = (inputs: unknown, prepared: unknown, outputs: unknown, scratch: Float32Array, pool?: unknown) => void;

/**
 * A kernel that dispatches to the first of `tiers` that is available and supports the node,
 * decided once per plan in prepare(); the last tier is the fallback and takes every node.
 * run() passes any extra arguments (the executor's thread pool) through to the tier.
 */
export function tiered<A>(tiers: readonly KernelTier<A>[]): CpuKernel<A, TieredPlan<A>> {
  if (tiers.length === 0) throw new Error('tiered(): at least one tier is needed');
  const last = tiers.length - 1;
  return {
    prepare(attrs, inputs, outputs) {
      const tier = tiers.find((t, i) => i === last || ((t.available?.() ?? true) && (t.supports?.(attrs, inputs, outputs) ?? true)))!;
      return { tier, prepared: tier.kernel.prepare ? tier.kernel.prepare(attrs, inputs, outputs) : attrs };
    },
    scratchBytes: (p, inputs, outputs) => p.tier.kernel.scratchBytes?.(p.prepared, inputs, outputs) ?? 0,
    run(inputs, p, outputs, scratch, pool?: unknown) {
      (p.tier.kernel.run as RunWithPool).call(p.tier.kernel, inputs, p.prepared, outputs, scratch, pool);
    },
  };
}

/** The tier a prepared step runs on ('js' for kernels that are not tiered). */
export function tierName(prepared: unknown): string {
  const t = (prepared as Partial<TieredPlan<unknown>> | undefined)?.tier;
  return t?.name ?? 'js';
}
