/// <reference types="@webgpu/types" />
import type { Graph } from '../../graph/graph.js';
import type { Analysis } from '../../graph/analyze.js';
import type { DType, KernelData } from '../../dtype.js';
import type { Dim } from '../../ops/types.js';
import type { Dispatch, GpuEnv } from '../../../kernels/webgpu/types.js';
import { acquireDevice, borrowDevice, type GpuDeviceHandle } from './device.js';
import { BufferPool, USAGE } from './buffer-pool.js';
import { WebGpuError } from './errors.js';
import { compileWebGpuPlan } from './plan.js';
import { toGpu } from './transfer.js';
import { WebGpuExecutor } from './executor.js';
import type { WebGpuOptions } from './options.js';

export type { WebGpuOptions } from './options.js';

export interface WebGpuBackendOptions extends WebGpuOptions {
  precision?: 'f32' | 'f16';
  debug?: boolean | ((line: string) => void);
}

interface PipelineEntry { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }

const COMPUTE_STAGE = 0x4;

/**
 * One session's WebGPU state: the device, the buffer pool, compiled pipelines (keyed by each
 * program's spec key), the constants uploaded once, and a queue that runs one plan at a time
 * (a run that falls back to the CPU awaits between GPU submissions; its buffers must not be
 * shared with another run meanwhile).
 */
export class WebGpuBackend {
  readonly env: GpuEnv;
  readonly pool: BufferPool;
  readonly precision: 'f32' | 'f16';
  private readonly pipelines = new Map<string, Promise<PipelineEntry>>();
  private readonly constants = new Map<object, GPUBuffer>();
  private tail: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly log: ((line: string) => void) | undefined;

  private constructor(readonly handle: GpuDeviceHandle, opts: WebGpuBackendOptions) {
    const f16 = opts.precision === 'f16' && handle.f16;
    this.precision = f16 ? 'f16' : 'f32';
    this.env = { f16, maxGroups: handle.device.limits.maxComputeWorkgroupsPerDimension };
    this.pool = new BufferPool(handle.device);
    this.log = opts.debug === true ? (line) => console.log(`[tessera:webgpu] ${line}`) : typeof opts.debug === 'function' ? opts.debug : undefined;
    if (opts.precision === 'f16' && !f16) this.log?.(`precision 'f16' asked for, but the device has no shader-f16: computing in f32`);
  }

  static async create(opts: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    const handle = opts.device
      ? borrowDevice(opts.device as GPUDevice)
      : await acquireDevice({ f16: opts.precision === 'f16', powerPreference: opts.powerPreference, dawnFlags: opts.dawnFlags });
    return new WebGpuBackend(handle, opts);
  }

  get device(): GPUDevice { return this.handle.device; }

  compile(graph: Graph, analysis: Analysis, shapes: ReadonlyMap<string, readonly Dim[]>, constants: ReadonlyMap<string, KernelData>): WebGpuExecutor {
    this.check();
    const plan = compileWebGpuPlan(graph, analysis, shapes, constants, this.env);
    if (this.log) {
      const gpu = plan.steps.filter((s) => s.kind === 'gpu').length;
      this.log(`plan [${[...shapes.values()].map((s) => s.join('x')).join(', ')}]: ${gpu} GPU nodes, ${plan.steps.length - gpu} on CPU, ${plan.slotBytes.length} pooled buffers (${plan.arenaBytes} B; ${plan.naiveBytes} B unshared)`);
      for (const s of plan.steps) if (s.kind === 'cpu') this.log(`  node '${s.pn.node.name}' (${s.pn.node.op}) falls back to CPU: ${s.reason}`);
    }
    return new WebGpuExecutor(plan, this);
  }

  /** Runs `job` after every job queued before it. */
  serialize<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Throws when the device is gone or the session disposed. */
  check(): void {
    if (this.disposed) throw new WebGpuError('this session has been disposed');
    const lost = this.handle.lost;
    if (lost) throw new WebGpuError(`the GPU device was lost (${lost.reason}${lost.message ? `: ${lost.message}` : ''}); create a new session to continue`);
  }

  async pipeline(d: Dispatch): Promise<PipelineEntry> {
    const key = d.program.key(d.spec);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.createPipeline(d, key);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  get pipelineCount(): number { return this.pipelines.size; }

  private async createPipeline(d: Dispatch, key: string): Promise<PipelineEntry> {
    const dev = this.device;
    const access = d.program.bindings(d.spec), uniforms = d.program.uniforms(d.spec);
    const entries: GPUBindGroupLayoutEntry[] = access.map((a, i) => ({ binding: i, visibility: COMPUTE_STAGE, buffer: { type: a === 'read' ? 'read-only-storage' : 'storage' } }));
    if (uniforms.length) entries.push({ binding: access.length, visibility: COMPUTE_STAGE, buffer: { type: 'uniform' } });
    const layout = dev.createBindGroupLayout({ entries, label: d.program.name });
    const module = dev.createShaderModule({ code: d.program.wgsl(d.spec), label: key });
    try {
      const pipeline = await dev.createComputePipelineAsync({
        label: key,
        layout: dev.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      return { pipeline, layout };
    } catch (e) {
      const info = await module.getCompilationInfo().catch(() => undefined);
      const msgs = info?.messages.filter((m) => m.type === 'error').map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
      throw new WebGpuError(`WGSL program '${d.program.name}' did not compile: ${(e as Error).message}${msgs ? `\n${msgs}` : ''}\n  spec ${key}`);
    }
  }

  /** A constant's GPU buffer, uploaded on first use and kept for the session. */
  constantBuffer(data: ArrayBufferView, dtype?: DType): GPUBuffer {
    let buf = this.constants.get(data);
    if (buf) return buf;
    let bytes = dtype ? toGpu(dtype, data as KernelData, this.env.f16) : data;
    if (bytes.byteLength % 4) {
      const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      padded.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      bytes = padded;
    }
    buf = this.device.createBuffer({ size: Math.max(16, bytes.byteLength), usage: USAGE.STORAGE | USAGE.COPY_DST });
    if (bytes.byteLength) this.device.queue.writeBuffer(buf, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.constants.set(data, buf);
    return buf;
  }

  get constantBytes(): number {
    let n = 0;
    for (const b of this.constants.values()) n += b.size;
    return n;
  }

  /** Frees every GPU buffer of the session; destroys the device unless the caller lent it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.destroy();
    for (const b of this.constants.values()) b.destroy();
    this.constants.clear();
    this.pipelines.clear();
    this.handle.release();
  }
}
