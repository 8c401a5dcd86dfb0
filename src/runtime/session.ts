import { Graph } from '../graph/graph.js';
import { analyze, type Analysis } from '../graph/analyze.js';
import { Tensor } from '../tensor.js';
import { toKernelData, type KernelData } from '../dtype.js';
import type { Dim } from '../ops/types.js';
import { isPacked, type PackedWeight } from '../graph/graph.js';
import { compileCpuPlan } from './cpu/plan.js';
import { CpuExecutor } from './cpu/executor.js';
import type { GemmPool } from './cpu/threads.js';
import type { SimdParallel } from './cpu/simd-engine.js';
import type { PlanEnv } from '../../kernels/types.js';
import { evaluateOnCpu } from './cpu/evaluate.js';
import type { WebGpuOptions } from './webgpu/options.js';
import type { WebGlOptions } from './webgl/backend.js';
import { backendOrder, defaultBackend, selectBackend, type Accelerator, type BackendChoice, type BackendName } from './select-backend.js';

/** The kernel tiers a CPU plan may use when the session has a SIMD engine. */
const SIMD_ENV: PlanEnv = { tiers: ['wasm-simd'] };

export type { BackendName, BackendChoice };

export interface SessionOptions {
  /**
   * Where kernels run: 'cpu', 'webgpu', 'webgl' (gpu.js), 'auto' (the first of webgpu, webgl,
   * cpu that starts here) or a preference order such as ['webgl', 'cpu']. Default: 'auto' in
   * browsers and Web Workers, 'cpu' in Node. `session.backend` says which one runs.
   */
  backend?: BackendChoice;
  /**
   * Graph optimizations at create time (default true): constant folding (shape arithmetic
   * included), dead-code elimination, BatchNormalization folded into Conv, decomposed LayerNorm
   * and GELU recognised as single ops, and Conv/Gemm/MatMul fused with a following bias Add and
   * activation (Relu, Clip/ReLU6, Sigmoid, SiLU, GELU). `false` runs the graph as given;
   * `{ disable: ['fuse-activation', ...] }` skips the named passes (names: 'constant-fold',
   * 'dce', 'fold-batchnorm', 'fuse-layernorm', 'fuse-gelu', 'fuse-activation'). The caller's
   * graph is never modified; `session.graph` is the optimized one.
   */
  optimize?: boolean | { disable: string[] };
  /** How many input-shape signatures keep a compiled plan (LRU). Default 8. */
  planCacheSize?: number;
  /**
   * GPU float precision: 'f16' stores floats as f16 on a WebGPU device with shader-f16 (math
   * and accumulation stay f32); without shader-f16 it computes in f32. Default 'f32'.
   */
  precision?: 'f32' | 'f16';
  /** Log backend decisions (CPU fallbacks and their transfers) to the console, or to this function. */
  debug?: boolean | ((line: string) => void);
  /** WebGPU: a GPUDevice to share between sessions, powerPreference, Dawn flags (Node). */
  webgpu?: WebGpuOptions;
  /** WebGL: gpu.js's GPU class (default: globalThis.GPU, else import('gpu.js')), mode, canvas. */
  webgl?: WebGlOptions;
  /**
   * CPU threads (default: the available cores). Above 1, helper threads split each big GEMM,
   * conv, quantized and sparse product (results identical to one thread): worker_threads in
   * Node (started on first use), module Web Workers when the session runs in a browser's Web
   * Worker with cross-origin isolation (started in create); they end in dispose(). Workers read
   * weights from shared memory: a model file is read straight into it; a Graph's float weights,
   * and the packed weights of quantized and sparse layers, are copied there once. Without
   * SharedArrayBuffer (a page without cross-origin isolation) or on a page's main thread (which
   * may not block) it runs on one thread and says so once (through `debug`, or a warning when
   * `threads` was given explicitly).
   */
  threads?: number;
  /**
   * CPU: run the GEMMs of Conv, Gemm and MatMul on the WebAssembly SIMD engine where the
   * JavaScript engine supports it (default true): 5-10x the JavaScript kernels, accumulating in
   * float32 as onnxruntime does; false keeps every kernel in JavaScript (float64 accumulation).
   */
  simd?: boolean;
}

/** What a backend compiles per input-shape signature. */
interface PlanRunner {
  readonly plan: { arenaBytes: number; naiveBytes: number; steps: readonly unknown[]; folded: number };
  run(feeds: readonly Tensor[]): Tensor[] | Promise<Tensor[]>;
  dispose?(): void;
}

/** Memory figures of one compiled plan. */
export interface PlanStats {
  /** Bytes of the single arena holding every intermediate. */
  arenaBytes: number;
  /** Bytes the same intermediates take with one buffer each. */
  naiveBytes: number;
  /** Kernel launches per run. */
  steps: number;
  /** Nodes computed at plan time because their inputs were all known. */
  folded: number;
}

export class SessionError extends Error {
  override name = 'SessionError';
}

/**
 * Loads a model once and runs it many times. Plans are compiled per input-shape signature and
 * cached; every run validates its feeds before any kernel runs.
 */
export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly plans = new Map<string, { exec: PlanRunner }>();
  private readonly constants = new Map<string, KernelData>();
  /** With threads: the packed (quantized, sparse) weights copied into shared memory. */
  private readonly packed: ReadonlyMap<string, PackedWeight> | undefined;
  private disposed = false;

  private constructor(readonly graph: Graph, private readonly analysis: Analysis, readonly options: Required<SessionOptions>, readonly backend: BackendName, private readonly gpu?: Accelerator, private readonly pool?: GemmPool, private readonly simd?: SimdParallel) {
    this.inputNames = graph.inputs.map((v) => v.name);
    this.outputNames = graph.outputs.map((v) => v.name);
    for (const [name, w] of graph.initializers) {
      // Constants clamp int64 (keeps INT64_MAX "to the end" sentinels meaningful).
      if (!isPacked(w)) this.constants.set(name, toKernelData(w.dtype, (w as Tensor).data, true, `initializer '${name}'`));
    }
    // GEMM workers read weights from shared memory.
    if (pool) for (const [name, data] of pool.share(this.constants)) this.constants.set(name, data);
    this.packed = pool?.sharePacked(graph);
  }

  /** From a Graph, ONNX bytes, or (in Node) a path to an .onnx file. */
  static async create(model: Graph | Uint8Array | string, options: SessionOptions = {}): Promise<InferenceSession> {
    const opts: Required<SessionOptions> = { backend: defaultBackend(), optimize: true, planCacheSize: 8, precision: 'f32', debug: false, webgpu: {}, webgl: {}, threads: await defaultThreads(), simd: true, ...options };
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new SessionError(`option 'threads' must be a positive integer, got ${String(opts.threads)}`);
    const order = backendOrder(opts.backend);
    if (typeof order === 'string') throw new SessionError(order);
    let graph: Graph;
    if (model instanceof Graph) graph = model;
    else if (model instanceof Uint8Array) graph = (await import('../onnx/index.js')).loadOnnx(model);
    else if (typeof model === 'string') {
      // With threads the file is read into shared memory, so GEMM workers read the weights in place.
      graph = (await import('../onnx/file.js')).loadOnnxFile(model, { shared: opts.threads > 1 && opts.backend !== 'webgpu' && opts.backend !== 'webgl' });
    } else throw new SessionError(`InferenceSession.create takes a Graph, ONNX bytes (Uint8Array) or a file path, got ${typeof model}`);
    if (opts.optimize) graph = (await import('../graph/passes/index.js')).optimize(graph, { evaluate: evaluateOnCpu, ...(opts.optimize === true ? {} : { passes: opts.optimize }) });
    const analysis = analyze(graph);
    // GPU backend code (and in Node the optional 'webgpu' package) loads only when tried.
    const { name, accelerator } = await selectBackend(order, opts);
    // Worker code loads only when threads are used (browser bundles start without it).
    const pool = name === 'cpu' && opts.threads > 1 ? await (await import('./cpu/threads.js')).GemmPool.create(opts.threads, threadsLog(opts, options.threads !== undefined), undefined, debugLog(opts)) : undefined;
    // Each worker keeps the packed weights its caller keeps: the session's budget is shared out.
    // The SIMD engine and its drivers load only for the CPU backend with simd on.
    const [simdModule, engineModule] = name === 'cpu' && opts.simd ? await Promise.all([import('../../kernels/cpu/sgemm-simd.js'), import('./cpu/simd-engine.js')]) : [];
    const simd = simdModule?.SimdGemm.create(simdModule.KEEP_BYTES / (pool?.threads ?? 1));
    return new InferenceSession(graph, analysis, opts, name, accelerator, pool, simd && engineModule ? new engineModule.SimdParallel(simd, pool) : undefined);
  }

  /** Run the model. Feeds are validated (names, dtypes, shapes) before any kernel runs. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const { exec, ordered } = this.prepare(feeds);
    const outs = await exec.run(ordered);
    const result: Record<string, Tensor> = {};
    this.outputNames.forEach((n, i) => { result[n] = outs[i]; });
    return result;
  }

  /** Arena figures for the given input shapes (compiles the plan if needed). */
  planStats(inputShapes: Record<string, number[]>): PlanStats {
    const feeds: Record<string, Tensor> = {};
    for (const v of this.graph.inputs) feeds[v.name] = new Tensor(v.dtype, inputShapes[v.name] ?? []);
    const { exec } = this.prepare(feeds);
    const p = exec.plan;
    return { arenaBytes: p.arenaBytes, naiveBytes: p.naiveBytes, steps: p.steps.length, folded: p.folded };
  }

  dispose(): void {
    this.disposed = true;
    for (const e of this.plans.values()) e.exec.dispose?.();
    this.plans.clear();
    this.gpu?.dispose();
    this.pool?.dispose();
  }

  private prepare(feeds: Record<string, Tensor>): { exec: PlanRunner; ordered: Tensor[] } {
    if (this.disposed) throw new SessionError('this session has been disposed');
    const ordered = this.validateFeeds(feeds);
    const key = ordered.map((t) => t.shape.join('x')).join('|');
    let entry = this.plans.get(key);
    if (entry) { this.plans.delete(key); this.plans.set(key, entry); } // LRU touch
    else {
      const shapes = new Map<string, readonly Dim[]>(this.graph.inputs.map((v, i) => [v.name, ordered[i].shape]));
      entry = { exec: this.gpu ? this.gpu.compile(this.graph, this.analysis, shapes, this.constants) : new CpuExecutor(compileCpuPlan(this.graph, this.analysis, shapes, this.constants, this.packed, this.simd ? SIMD_ENV : undefined), this.pool, this.simd) };
      this.plans.set(key, entry);
      if (this.plans.size > this.options.planCacheSize) {
        const oldest = this.plans.keys().next().value!;
        this.plans.get(oldest)!.exec.dispose?.();
        this.plans.delete(oldest);
      }
    }
    return { exec: entry.exec, ordered };
  }

  private validateFeeds(feeds: Record<string, Tensor>): Tensor[] {
    if (typeof feeds !== 'object' || feeds === null) throw new SessionError(`run() takes an object of input tensors keyed by name (${this.inputNames.join(', ')})`);
    const unknown = Object.keys(feeds).filter((k) => !this.inputNames.includes(k));
    if (unknown.length) throw new SessionError(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the model's inputs are ${this.inputNames.map((k) => `'${k}'`).join(', ')}`);
    const symbols = new Map<string, [number, string]>();
    return this.graph.inputs.map((info) => {
      const t = feeds[info.name];
      if (t === undefined) throw new SessionError(`missing input '${info.name}' (${info.dtype} [${info.shape.join(', ')}])`);
      if (!(t instanceof Tensor)) throw new SessionError(`input '${info.name}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
      if (t.dtype !== info.dtype) throw new SessionError(`input '${info.name}' must be ${info.dtype}, got ${t.dtype}`);
      if (t.shape.length !== info.shape.length) throw new SessionError(`input '${info.name}' must have rank ${info.shape.length} ([${info.shape.join(', ')}]), got shape [${t.shape.join(', ')}]`);
      info.shape.forEach((d, i) => {
        const got = t.shape[i];
        if (typeof d === 'number' && d !== got) throw new SessionError(`input '${info.name}' dimension ${i} must be ${d}, got ${got} (shape [${t.shape.join(', ')}])`);
        if (typeof d === 'string' && d !== '?' && d !== '') {
          const seen = symbols.get(d);
          if (seen && seen[0] !== got) throw new SessionError(`input '${info.name}' dimension ${i} ('${d}') is ${got} but '${seen[1]}' set '${d}' to ${seen[0]}`);
          symbols.set(d, [got, info.name]);
        }
      });
      return t;
    });
  }
}

/** Available cores: navigator.hardwareConcurrency in browsers and Node >= 21, os.availableParallelism() in Node 20. */
async function defaultThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  try { return (await import('node:os')).availableParallelism(); } catch { return 1; }
}

/** The debug logger, if any: the helpers' start and the work they did. */
function debugLog(opts: Required<SessionOptions>): ((line: string) => void) | undefined {
  return typeof opts.debug === 'function' ? opts.debug : opts.debug ? (line) => console.log(line) : undefined;
}

/** Where a threads notice goes: the debug logger, else console.warn when threads were asked for explicitly. */
function threadsLog(opts: Required<SessionOptions>, explicit: boolean): (line: string) => void {
  if (typeof opts.debug === 'function') return opts.debug;
  if (opts.debug || explicit) return (line) => console.warn(`tessera: ${line}`);
  return () => {};
}
