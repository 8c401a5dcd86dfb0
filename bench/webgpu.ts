/// <reference types="@webgpu/types" />
import { analyze } from '../src/graph/analyze.js';
import { toKernelData, type KernelData, type TensorData } from '../src/dtype.js';
import { Graph, models, optimize, Tensor } from '../src/index.js';
import { evaluateOnCpu } from '../src/runtime/cpu/evaluate.js';
import { acquireDevice, describeAdapter, type AdapterDescription } from '../src/runtime/webgpu/device.js';
import { WebGpuBackend } from '../src/runtime/webgpu/backend.js';
import { kernelCases, type KernelCase } from './kernel-cases.js';
import { MODEL_LABELS, modelFeeds, type ModelId } from './model-specs.js';
import type { Feed } from './peers.js';
import { measure, type Timing, type TimingBudget } from './timing.js';

/**
 * The WebGPU mode of the suite: per-kernel GPU throughput (the same one-op graphs as the CPU
 * kernel suite, each run many times in one compute pass and timed with timestamp queries where
 * the device has them), and whole models (weight upload, first run with pipeline compilation,
 * then end-to-end run latency including feed upload and output read-back).
 *
 * On a CPU Vulkan driver (lavapipe, SwiftShader) every figure is a CPU figure: the result says
 * so (`adapter.software`), the printed report says so, and nobody should quote it as GPU speed.
 */
export interface WebGpuBenchOptions {
  quick?: boolean;
  /** Only kernel cases / models whose name contains this. */
  filter?: string;
  only?: 'kernels' | 'models';
  precision?: 'f32' | 'f16';
  /** Model batch sizes (default [1], a full run adds 8 for MobileNetV2). */
  batches?: number[];
  log?: (line: string) => void;
}

export interface WebGpuKernelResult {
  suite: KernelCase['suite'];
  name: string;
  unit: KernelCase['unit'];
  /** GPU time per run from timestamp queries (absent without them), and submit-to-done wall time. */
  gpuMs: number | null;
  wallMs: number;
  /** GFLOP/s or GB/s from gpuMs (wallMs when there are no timestamps). */
  throughput: number;
}

export interface WebGpuModelResult {
  model: ModelId;
  label: string;
  batch: number;
  /** Weights written to the GPU on the first run, and how long that took (queue writes until done). */
  uploadBytes: number;
  uploadMs: number;
  /** Pipeline compilation of the first run. */
  pipelinesMs: number;
  /** The whole first run: compile, upload, compute, read back. */
  firstRunMs: number;
  timing: Timing;
  /** Nodes that fell back to the CPU (0 means the whole graph ran on the GPU). */
  cpuNodes: number;
}

export interface WebGpuBenchResult {
  adapter: AdapterDescription;
  precision: 'f32' | 'f16';
  /** Timestamp queries were available (kernel times are GPU times, not wall times). */
  timestamps: boolean;
  kernels: WebGpuKernelResult[];
  models: WebGpuModelResult[];
}

const toTensor = (f: Feed) => new Tensor(f.dtype, f.shape, f.data);

function constantsOf(g: Graph): Map<string, KernelData> {
  const m = new Map<string, KernelData>();
  for (const [name, w] of g.initializers) if (w instanceof Tensor) m.set(name, toKernelData(w.dtype, w.data as TensorData));
  return m;
}

async function benchKernel(backend: WebGpuBackend, c: KernelCase, quick: boolean): Promise<WebGpuKernelResult> {
  const { graph, feeds } = c.build();
  const shapes = new Map(feeds.map((f) => [f.name, f.shape]));
  const exec = backend.compile(graph, analyze(graph), shapes, constantsOf(graph));
  try {
    const tensors = graph.inputs.map((v) => toTensor(feeds.find((f) => f.name === v.name)!));
    await exec.run(tensors); // compile and upload outside the timing
    // Enough repeats per pass that submission overhead does not count; best of a few passes.
    const probe = await exec.profile(tensors, 1);
    const perRun = probe.gpuMs ?? probe.wallMs;
    const repeats = Math.max(1, Math.min(200, Math.ceil((quick ? 50 : 200) / Math.max(perRun, 0.01))));
    let best = { gpuMs: Infinity, wallMs: Infinity };
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      const r = await exec.profile(tensors, repeats);
      best = { gpuMs: Math.min(best.gpuMs, r.gpuMs ?? Infinity), wallMs: Math.min(best.wallMs, r.wallMs) };
    }
    const gpuMs = Number.isFinite(best.gpuMs) ? best.gpuMs : null;
    const ms = gpuMs ?? best.wallMs;
    return { suite: c.suite, name: c.name, unit: c.unit, gpuMs, wallMs: best.wallMs, throughput: c.work / (ms / 1000) / 1e9 };
  } finally {
    exec.dispose();
  }
}

function modelGraph(id: ModelId): Graph {
  return id === 'mobilenetv2'
    ? models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1 })
    : models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
}

async function benchModel(backend: WebGpuBackend, id: ModelId, batch: number, quick: boolean): Promise<WebGpuModelResult> {
  // What InferenceSession.create does: the optimization passes, then a plan for these shapes.
  const graph = optimize(modelGraph(id), { evaluate: evaluateOnCpu });
  const feeds = modelFeeds(id, batch);
  const exec = backend.compile(graph, analyze(graph), new Map(feeds.map((f) => [f.name, f.shape])), constantsOf(graph));
  try {
    const tensors = graph.inputs.map((v) => toTensor(feeds.find((f) => f.name === v.name)!));
    const t0 = performance.now();
    await exec.run(tensors);
    const firstRunMs = performance.now() - t0;
    const budget: TimingBudget = quick ? { timeMs: 1000, minRuns: 5, warmupMs: 0, warmupRuns: 1 } : { timeMs: 5000, minRuns: 20, warmupMs: 0, warmupRuns: 2 };
    const timing = await measure(`${id} webgpu b${batch}`, () => exec.run(tensors), budget);
    return {
      model: id, label: MODEL_LABELS[id], batch, ...exec.setup, firstRunMs, timing,
      cpuNodes: exec.plan.steps.filter((s) => s.kind === 'cpu').length,
    };
  } finally {
    exec.dispose();
  }
}

/** Runs the WebGPU benchmarks on the first adapter found; throws when there is none. */
export async function webgpuBench(opts: WebGpuBenchOptions = {}): Promise<WebGpuBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const precision = opts.precision ?? 'f32', quick = !!opts.quick;
  const match = (name: string) => !opts.filter || name.toLowerCase().includes(opts.filter.toLowerCase());
  const handle = await acquireDevice({ f16: precision === 'f16' });
  try {
    const adapter = describeAdapter(handle);
    const timestamps = handle.device.features.has('timestamp-query');
    log(`WebGPU: ${adapter.vendor} ${adapter.architecture} ${adapter.device} (${adapter.description}); precision ${precision}; timestamps ${timestamps ? 'yes' : 'no (wall time)'}`);
    if (adapter.software) log('NOTE: this adapter is a CPU implementation of Vulkan/WebGPU; the figures below are CPU figures, not GPU figures.');
    const result: WebGpuBenchResult = { adapter, precision, timestamps, kernels: [], models: [] };
    if (opts.only !== 'models') {
      const backend = await WebGpuBackend.create({ device: handle.device, precision });
      try {
        for (const c of kernelCases().filter((k) => (!quick || k.quick) && match(k.name))) {
          const r = await benchKernel(backend, c, quick);
          result.kernels.push(r);
          log(`  ${c.name.padEnd(34)} ${r.throughput.toFixed(1).padStart(9)} ${c.unit}  (${(r.gpuMs ?? r.wallMs).toFixed(3)} ms${r.gpuMs === null ? ' wall' : ''})`);
        }
      } finally {
        backend.dispose();
      }
    }
    if (opts.only !== 'kernels') {
      // One backend per model: its weights are uploaded on its first run, and freed after.
      for (const id of (['mobilenetv2', 'distilbert'] as ModelId[]).filter((m) => match(m) || match(MODEL_LABELS[m]))) {
        for (const batch of opts.batches ?? (quick || id === 'distilbert' ? [1] : [1, 8])) {
          const backend = await WebGpuBackend.create({ device: handle.device, precision });
          const r = await benchModel(backend, id, batch, quick).finally(() => backend.dispose());
          result.models.push(r);
          log(`  ${`${r.label} b${batch}`.padEnd(34)} p50 ${r.timing.p50Ms.toFixed(1)} ms  p99 ${r.timing.p99Ms.toFixed(1)} ms  first run ${r.firstRunMs.toFixed(0)} ms (pipelines ${r.pipelinesMs.toFixed(0)} ms, upload ${(r.uploadBytes / 1e6).toFixed(1)} MB in ${r.uploadMs.toFixed(0)} ms)${r.cpuNodes ? `, ${r.cpuNodes} CPU nodes` : ''}`);
        }
      }
    }
    return result;
  } finally {
    handle.release();
  }
}
