import { allocKernel, kernelView, toPublicData, writeKernelData, type DType, type KernelData, type TensorData } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import type { CpuPlan } from './plan.js';
import type { ParallelGemm } from '../../../kernels/cpu/parallel.js';
import { tierName } from '../../../kernels/cpu/tiers.js';
import type { SimdParallel } from './simd-engine.js';
import type { GemmPool } from './threads.js';

/** A kernel's run() as the executor calls it: GEMM kernels take the thread pool as a fifth argument. */
type RunWithPool = (inputs: unknown, prepared: unknown, outputs: unknown, scratch: Float32Array, pool?: ParallelGemm) => void;

/** A value as the kernels of one context see it; `data` is re-pointed per run for edges. */
interface Slot { dtype: DType; shape: readonly number[]; data: KernelData }

/** One arena plus prebuilt views and argument arrays: everything a run needs, allocated once. */
interface Context {
  slots: Slot[];
  stepIn: (Slot | undefined)[][];
  stepOut: Slot[][];
  scratch: Float32Array[];
  /** With threads: float32 inputs and outputs outside the arena get shared buffers, so GEMM workers can reach them. */
  staged: Map<number, Float32Array>;
}

const EMPTY = new Float32Array(0);

/**
 * Runs a CPU plan. Contexts are pooled, so concurrent runs (possible once kernels await
 * workers) each get their own arena; a run allocates only the returned output arrays.
 */
export class CpuExecutor {
  private readonly pool: Context[] = [];

  /** What each step's run() gets as its fifth argument: the thread pool, or the SIMD engine on 'wasm-simd' steps. */
  private readonly engines: (ParallelGemm | undefined)[];

  /**
   * `threads`: GEMM workers; the arena is then a SharedArrayBuffer so they can read and write it.
   * `simd`: the engine of steps planned on the 'wasm-simd' tier (required when there are any),
   * made by the runner, which loads it only when it uses the tier (browser bundles start without it).
   */
  constructor(readonly plan: CpuPlan, private readonly threads?: GemmPool, simdPar?: SimdParallel) {
    // Weights: the engine keeps their packed form instead of packing them on every call.
    if (simdPar) for (const v of plan.values) if (v.kind === 'constant' && v.data instanceof Float32Array) simdPar.simd.markConstant(v.data);
    this.engines = plan.steps.map((s) => {
      if (tierName(s.prepared) !== 'wasm-simd') return threads;
      if (!simdPar) throw new Error(`CPU plan: step '${s.pn.node.name}' (${s.pn.node.op}) is planned on the wasm-simd tier, but the executor has no SIMD engine`);
      return simdPar;
    });
  }

  run(feeds: readonly Tensor[]): Tensor[] {
    const ctx = this.pool.pop() ?? this.createContext();
    try {
      return this.execute(ctx, feeds);
    } finally {
      this.pool.push(ctx);
    }
  }

  private createContext(): Context {
    const { values, steps, arenaBytes } = this.plan;
    const buffer = this.threads ? new SharedArrayBuffer(arenaBytes) : new ArrayBuffer(arenaBytes);
    const staged = new Map<number, Float32Array>();
    const slots: Slot[] = values.map((v, i) => {
      if (this.threads && !v.data && v.offset < 0 && v.dtype === 'float32' && (v.kind === 'input' || v.kind === 'output')) {
        staged.set(i, new Float32Array(new SharedArrayBuffer(v.size * 4)));
      }
      return { dtype: v.dtype, shape: v.shape, data: v.data ?? staged.get(i) ?? (v.offset >= 0 ? kernelView(v.dtype, buffer, v.offset, v.size) : EMPTY) };
    });
    return {
      staged,
      slots,
      stepIn: steps.map((s) => s.inputs.map((i) => (i < 0 ? undefined : slots[i]))),
      stepOut: steps.map((s) => s.outputs.map((i) => slots[i])),
      scratch: steps.map((s) => (s.scratchBytes > 0 ? new Float32Array(buffer, s.scratchOffset, Math.floor(s.scratchBytes / 4)) : EMPTY)),
    };
  }

  private execute(ctx: Context, feeds: readonly Tensor[]): Tensor[] {
    const { plan } = this;
    plan.inputs.forEach((v, k) => {
      const slot = ctx.slots[v], val = plan.values[v];
      const stage = ctx.staged.get(v);
      if (stage) stage.set(feeds[k].data as Float32Array);
      else if (val.offset >= 0) writeKernelData(val.dtype, feeds[k].data as TensorData, slot.data, `input '${val.name}'`);
      else slot.data = feeds[k].data as KernelData;
    });
    // Outputs written by kernels straight into the arrays the caller receives.
    const direct = plan.outputs.map((v, k) => {
      const val = plan.values[v];
      if (val.kind !== 'output' || val.offset >= 0 || plan.outputs.indexOf(v) !== k || ctx.staged.has(v)) return undefined;
      const data = allocKernel(val.dtype, val.size);
      ctx.slots[v].data = data;
      return data;
    });
    const { steps } = plan, engines = this.engines;
    for (let s = 0; s < steps.length; s++) {
      const st = steps[s];
      (st.kernel.run as RunWithPool).call(st.kernel, ctx.stepIn[s], st.prepared, ctx.stepOut[s], ctx.scratch[s], engines[s]);
    }
    return plan.outputs.map((v, k) => {
      const val = plan.values[v];
      const d = direct[k]; // the same value listed twice gets its own copy the second time
      const stage = ctx.staged.get(v);
      const data = d ?? (stage ? stage.slice() : toPublicData(val.dtype, ctx.slots[v].data));
      return new Tensor(val.dtype, val.shape, data as never);
    });
  }
}
