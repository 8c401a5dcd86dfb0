import type { CpuKernel, KMeta, PlanEnv } from '../types.js';

/**
 * One implementation of an op among several: the WebAssembly SIMD tier ('wasm-simd', whose
 * GEMMs run on the engine the executor hands the kernel) ahead of the portable JavaScript one.
 * A tier is chosen at plan time when the plan's env allows it (a runner lists the tiers it has
 * engines for: the session made a SIMD engine only where the module validated), `available`
 * says the JavaScript engine can run it, and `supports` takes the node (attributes, shapes,
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
 * A kernel that dispatches to the first of `tiers` that the plan allows, is available and
 * supports the node, decided once per plan in prepare(); the last tier is the fallback, always
 * allowed, and takes every node. run() passes any extra arguments (the executor's thread pool
 * or SIMD engine) through to the tier.
 */
export function tiered<A>(tiers: readonly KernelTier<A>[]): CpuKernel<A, TieredPlan<A>> {
  if (tiers.length === 0) throw new Error('tiered(): at least one tier is needed');
  const last = tiers.length - 1;
  return {
    prepare(attrs, inputs, outputs, env?: PlanEnv) {
      const allowed = (t: KernelTier<A>) => env?.tiers?.includes(t.name) ?? false;
      const tier = tiers.find((t, i) => i === last || (allowed(t) && (t.available?.() ?? true) && (t.supports?.(attrs, inputs, outputs) ?? true)))!;
      return { tier, prepared: tier.kernel.prepare ? tier.kernel.prepare(attrs, inputs, outputs, env) : attrs };
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
