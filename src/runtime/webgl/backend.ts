import type { Graph } from '../../graph/graph.js';
import type { Analysis } from '../../graph/analyze.js';
import type { Dim } from '../../ops/types.js';
import type { KernelData } from '../../dtype.js';
import type { OpName } from '../../ops/index.js';
import { compileCpuPlan, type CpuPlan, type PlanStep } from '../cpu/plan.js';
import { CpuExecutor } from '../cpu/executor.js';
import { WEBGL_KERNELS } from '../../../kernels/webgl/index.js';
import { isUnsupported, type GlProgram } from '../../../kernels/webgl/types.js';
import type { CpuKernel, KMeta, KTensor } from '../../../kernels/types.js';
import { kernelClass, loadGpuJs, WebGlError, type GpuJs, type GpuJsClass, type GpuJsKernel, type GpuJsTexture } from './gpujs.js';

export interface WebGlOptions {
  /**
   * gpu.js's GPU class (or the gpu.js module). Default: a GPU class already on globalThis (a
   * <script src="gpu-browser.min.js"> tag), else `import('gpu.js')`.
   */
  gpu?: unknown;
  /**
   * gpu.js mode. Default 'webgl2': the backend checks that gpu.js really runs WebGL2 kernels
   * and refuses to start otherwise (gpu.js itself would fall back silently). 'cpu' runs the same
   * kernel sources as JavaScript: for tests on machines without WebGL.
   */
  mode?: 'webgl2' | 'cpu';
  /** A canvas or OffscreenCanvas for gpu.js (default: it makes its own). */
  canvas?: object;
}

/** Where one node of a compiled plan runs. */
export interface Placement { node: string; op: string; on: string; reason?: string }

type Log = (line: string) => void;

/** What a GPU step carries in place of the CPU kernel's prepared state. */
interface GlStep {
  kernel: GpuJsKernel;
  /** Per kernel argument: a constant uploaded once, or a node input read at run time. */
  args: ({ texture: GpuJsTexture } | { input: number })[];
  /** The CPU kernel and state, for a node whose GPU kernel fails on first use. */
  cpu: { kernel: CpuKernel<unknown, unknown>; prepared: unknown };
  placement: Placement;
  checked: boolean;
}

/**
 * The WebGL backend: gpu.js kernels for MatMul/Gemm, Conv (grouped and depthwise) and
 * elementwise ops; every other node runs its CPU kernel. The plan is the CPU plan (same
 * arena, same order) with GPU steps swapped in, so tensors live in CPU memory between nodes:
 * each GPU node uploads its activations and reads its output back, while weights are uploaded
 * once per session as textures.
 */
export class WebGlBackend {
  private readonly kernels = new Map<string, GpuJsKernel>();
  private readonly textures = new Map<KernelData, GpuJsTexture>();
  private uploader?: GpuJsKernel;
  private disposed = false;

  private constructor(private readonly GPU: GpuJsClass, private readonly gpu: GpuJs, readonly mode: 'webgl2' | 'cpu', readonly kernelClass: string, private readonly log?: Log) {}

  static async create(opts: WebGlOptions & { debug?: boolean | Log } = {}): Promise<WebGlBackend> {
    const GPU = await loadGpuJs(opts.gpu);
    const mode = opts.mode ?? 'webgl2';
    if (mode !== 'webgl2' && mode !== 'cpu') throw new WebGlError(`webgl.mode must be 'webgl2' or 'cpu', got '${String(mode)}'`);
    if (mode === 'webgl2' && GPU.isWebGL2Supported === false) throw new WebGlError('WebGL2 is not available here (gpu.js reports isWebGL2Supported = false)');
    const gpu = new GPU({ mode, ...(opts.canvas ? { canvas: opts.canvas } : {}) });
    // gpu.js falls back to other modes without a word: run a probe and see what ran.
    let cls: string;
    try {
      const probe = gpu.createKernel('function (a) { return a[this.thread.x] * 2; }', { output: [4], precision: 'single' });
      const r = probe(new Float32Array([1, 2, 3, 4])) as Float32Array;
      cls = kernelClass(GPU, probe);
      probe.destroy?.();
      if (Array.from(r).join() !== '2,4,6,8') throw new WebGlError(`probe kernel computed [${Array.from(r).join(', ')}], expected [2, 4, 6, 8]`);
    } catch (e) {
      await gpu.destroy();
      throw e instanceof WebGlError ? e : new WebGlError(`gpu.js could not run a kernel: ${(e as Error).message}`);
    }
    const want = mode === 'webgl2' ? 'WebGL2Kernel' : 'CPUKernel';
    if (cls !== want) {
      await gpu.destroy();
      throw new WebGlError(`gpu.js ran its probe kernel as ${cls}, not ${want}: no ${mode === 'webgl2' ? 'WebGL2 context' : 'CPU mode'} here`);
    }
    const log: Log | undefined = opts.debug === true ? (l) => console.log(l) : typeof opts.debug === 'function' ? opts.debug : undefined;
    return new WebGlBackend(GPU, gpu, mode, cls, log);
  }

  /** A CPU plan with the nodes gpu.js can run swapped for GPU steps. */
  compile(graph: Graph, analysis: Analysis, shapes: ReadonlyMap<string, readonly Dim[]>, constants: ReadonlyMap<string, KernelData>): WebGlRunner {
    if (this.disposed) throw new WebGlError('this WebGL backend has been disposed');
    const plan = compileCpuPlan(graph, analysis, shapes, constants);
    const placements: Placement[] = [];
    const steps = plan.steps.map((st) => {
      const { node } = st.pn;
      const glk = WEBGL_KERNELS[node.op as OpName] as { lower: (a: unknown, i: readonly (KMeta | undefined)[], o: readonly KMeta[]) => GlProgram | { unsupported: string } } | undefined;
      const ins = st.inputs.map((i) => (i < 0 ? undefined : plan.values[i]));
      const prog = glk ? glk.lower(st.pn.attrs, ins, st.outputs.map((i) => plan.values[i])) : { unsupported: `no WebGL kernel for ${node.op}` };
      if (isUnsupported(prog)) {
        const p = { node: node.name, op: node.op, on: 'cpu', reason: prog.unsupported };
        placements.push(p);
        this.log?.(`webgl: node '${node.name}' (${node.op}) runs on the CPU: ${prog.unsupported}`);
        return st;
      }
      return this.gpuStep(st, prog, plan, placements);
    });
    return new WebGlRunner({ ...plan, steps }, placements);
  }

  private gpuStep(st: PlanStep, prog: GlProgram, plan: CpuPlan, placements: Placement[]): PlanStep {
    const inputs = prog.inputs.map((k) => plan.values[st.inputs[k]]);
    const key = `${prog.source}|${prog.outputSize}|${inputs.map((v) => `${v.size}${v.data ? 'c' : ''}`).join(',')}`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.gpu.createKernel(prog.source, { output: [prog.outputSize], precision: 'single', tactic: 'precision', dynamicOutput: false, dynamicArguments: false });
      this.kernels.set(key, kernel);
    }
    const args = prog.inputs.map((k) => {
      const v = plan.values[st.inputs[k]];
      return v.data ? { texture: this.upload(v.data as Float32Array) } : { input: k };
    });
    const placement: Placement = { node: st.pn.node.name, op: st.pn.node.op, on: 'webgl' };
    placements.push(placement);
    const prepared: GlStep = { kernel, args, cpu: { kernel: st.kernel, prepared: st.prepared }, placement, checked: false };
    return { ...st, kernel: this.runner, prepared };
  }

  /** A constant as a texture that stays on the GPU (gpu.js pipeline output), uploaded once. */
  private upload(data: Float32Array): GpuJsTexture {
    let t = this.textures.get(data);
    if (t) return t;
    // One copy kernel for every size: dynamic output and arguments reuse its compiled shader
    // (a shader per size cost ~80 ms each under SwiftShader, 2 ms this way).
    this.uploader ??= this.gpu.createKernel('function (a) { return a[this.thread.x]; }', { output: [1], precision: 'single', tactic: 'precision', pipeline: true, immutable: true, dynamicOutput: true, dynamicArguments: true });
    this.uploader.setOutput!([data.length]);
    t = this.uploader(data) as GpuJsTexture;
    this.textures.set(data, t);
    return t;
  }

  /** The CpuKernel-shaped adapter every GPU step runs through (one per backend, no per-run allocation of closures). */
  private readonly runner: CpuKernel<unknown, unknown> = {
    run: (inputs: readonly (KTensor | undefined)[], prepared: unknown, outputs: readonly KTensor[], scratch: Float32Array) => {
      const s = prepared as GlStep;
      if (s.placement.on === 'cpu') { s.cpu.kernel.run(inputs, s.cpu.prepared, outputs, scratch); return; }
      const args = s.args.map((a) => ('texture' in a ? a.texture : inputs[a.input]!.data));
      let result: Float32Array;
      try {
        result = s.kernel(...args) as Float32Array;
      } catch (e) {
        // A kernel gpu.js cannot build here: this node runs on the CPU from now on.
        s.placement.on = 'cpu';
        s.placement.reason = `gpu.js failed: ${(e as Error).message.split('\n')[0]}`;
        this.log?.(`webgl: node '${s.placement.node}' (${s.placement.op}) falls back to the CPU: ${s.placement.reason}`);
        s.cpu.kernel.run(inputs, s.cpu.prepared, outputs, scratch);
        return;
      }
      if (!s.checked) {
        s.checked = true;
        const cls = kernelClass(this.GPU, s.kernel);
        s.placement.on = this.mode === 'cpu' ? `gpu.js:${cls}` : cls === 'WebGL2Kernel' ? 'webgl' : `gpu.js:${cls}`;
        this.log?.(`webgl: node '${s.placement.node}' (${s.placement.op}) ran as ${cls}`);
      }
      (outputs[0].data as Float32Array).set(result);
    },
  };

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.textures.values()) t.delete?.(); // cpu mode "textures" are plain arrays
    for (const k of [...this.kernels.values(), ...(this.uploader ? [this.uploader] : [])]) k.destroy?.(false);
    this.textures.clear();
    this.kernels.clear();
    void this.gpu.destroy();
  }
}

/** A compiled plan on the WebGL backend: the CPU executor over the swapped plan, plus where each node runs. */
export class WebGlRunner {
  private readonly exec: CpuExecutor;

  constructor(readonly plan: CpuPlan, readonly placements: readonly Placement[]) {
    this.exec = new CpuExecutor(plan);
  }

  run(feeds: Parameters<CpuExecutor['run']>[0]): ReturnType<CpuExecutor['run']> {
    return this.exec.run(feeds);
  }
}
