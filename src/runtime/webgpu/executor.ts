/// <reference types="@webgpu/types" />
import { allocKernel, toKernelData, type KernelData, type TensorData } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import type { KTensor } from '../../../kernels/types.js';
import type { BufferRef, Dispatch } from '../../../kernels/webgpu/types.js';
import type { WebGpuBackend } from './backend.js';
import type { CpuStep, GpuStep, WebGpuPlan } from './plan.js';
import { MAP_READ_MODE, USAGE } from './buffer-pool.js';
import { WebGpuError } from './errors.js';
import { fromGpu, gpuBytes, toGpu, toPublic } from './transfer.js';

interface BoundDispatch { pipeline: GPUComputePipeline; group: GPUBindGroup; workgroups: [number, number, number] }

/** GPU objects of one plan, made on its first run. */
interface Resources {
  slots: GPUBuffer[];
  /** Constants folded for this plan (not session weights): uploaded and freed with the plan. */
  folded: Map<number, GPUBuffer>;
  uniforms: GPUBuffer | undefined;
  staging: GPUBuffer | undefined;
  /** Per step: bound dispatches (GPU) or preallocated host outputs and scratch (CPU fallback). */
  gpu: BoundDispatch[][];
  cpuOut: KernelData[][];
  cpuScratch: Float32Array[];
}

const EMPTY = new Float32Array(0);

/**
 * Runs a WebGPU plan: feeds are uploaded, every GPU node is encoded into one command encoder
 * (one compute pass), and only the graph outputs are read back. A node that falls back to the
 * CPU splits the run there: its GPU inputs are read back, the CPU kernel runs, its outputs are
 * uploaded, and encoding continues.
 */
export class WebGpuExecutor {
  private resources: Promise<Resources> | undefined;
  private released = false;
  /** Set up on the first run: pipeline compilation, and the weights this plan uploaded (first use in the session). */
  readonly setup = { pipelinesMs: 0, uploadMs: 0, uploadBytes: 0 };

  constructor(readonly plan: WebGpuPlan, private readonly backend: WebGpuBackend) {}

  run(feeds: readonly Tensor[]): Promise<Tensor[]> {
    return this.backend.serialize(() => this.execute(feeds));
  }

  /** Gives the plan's buffers back to the pool (after runs already queued). */
  dispose(): void {
    void this.backend.serialize(async () => {
      if (this.released || !this.resources) return;
      this.released = true;
      const r = await this.resources.catch(() => undefined);
      if (!r) return;
      for (const b of [...r.slots, ...r.folded.values()]) this.backend.pool.release(b);
      if (r.uniforms) this.backend.pool.release(r.uniforms);
      if (r.staging) this.backend.pool.release(r.staging);
    });
  }

  /**
   * Benchmarks only: runs every GPU node of the plan `repeats` times in one compute pass (feeds
   * uploaded once, nothing read back). `gpuMs` comes from timestamp queries when the device has
   * them; `wallMs` is submit-to-done. Both per repeat. Plans with CPU fallbacks are refused.
   */
  profile(feeds: readonly Tensor[], repeats: number): Promise<{ gpuMs: number | undefined; wallMs: number }> {
    return this.backend.serialize(async () => {
      const { plan, backend } = this, dev = backend.device;
      backend.check();
      if (plan.steps.some((s) => s.kind === 'cpu')) throw new WebGpuError('profile() needs a plan that runs entirely on the GPU');
      this.resources ??= this.instantiate();
      const res = await this.resources;
      plan.inputs.forEach((v, k) => { if (plan.uploadInputs.includes(v)) this.upload(res, v, toKernelData(plan.values[v].dtype, feeds[k].data as TensorData, false)); });
      const ts = dev.features.has('timestamp-query');
      const querySet = ts ? dev.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
      const resolve = ts ? dev.createBuffer({ size: 16, usage: USAGE.QUERY_RESOLVE | USAGE.COPY_SRC }) : undefined;
      const read = ts ? dev.createBuffer({ size: 16, usage: USAGE.MAP_READ | USAGE.COPY_DST }) : undefined;
      try {
        const enc = dev.createCommandEncoder();
        const pass = enc.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
        for (let r = 0; r < repeats; r++) {
          for (const step of res.gpu) for (const d of step) { pass.setPipeline(d.pipeline); pass.setBindGroup(0, d.group); pass.dispatchWorkgroups(...d.workgroups); }
        }
        pass.end();
        if (querySet) { enc.resolveQuerySet(querySet, 0, 2, resolve!, 0); enc.copyBufferToBuffer(resolve!, 0, read!, 0, 16); }
        const t0 = performance.now();
        dev.queue.submit([enc.finish()]);
        await dev.queue.onSubmittedWorkDone();
        const wallMs = (performance.now() - t0) / repeats;
        let gpuMs: number | undefined;
        if (read) {
          await read.mapAsync(MAP_READ_MODE);
          const [a, b] = new BigUint64Array(read.getMappedRange());
          gpuMs = b > a ? Number(b - a) / 1e6 / repeats : undefined;
          read.unmap();
        }
        return { gpuMs, wallMs };
      } finally {
        querySet?.destroy(); resolve?.destroy(); read?.destroy();
      }
    });
  }

  private async execute(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const { plan, backend } = this, { values } = plan;
    backend.check();
    if (this.released) throw new WebGpuError('this plan was evicted from the session cache');
    // Feeds are converted and checked before any GPU work is queued.
    const host: (KernelData | undefined)[] = new Array(values.length);
    plan.inputs.forEach((v, k) => { host[v] = toKernelData(values[v].dtype, feeds[k].data as TensorData, false, `input '${values[v].name}'`); });
    for (const c of plan.indexChecks) {
      const idx = host[c.value]!;
      for (let j = 0; j < idx.length; j++) {
        if (idx[j] < -c.size || idx[j] >= c.size) throw new RangeError(`Gather '${c.node}': index ${idx[j]} (position ${j} of input '${values[c.value].name}') is out of range for an axis of size ${c.size}; valid indices are ${-c.size}..${c.size - 1}`);
      }
    }
    this.resources ??= this.instantiate();
    const res = await this.resources;
    const dev = backend.device;
    dev.pushErrorScope('out-of-memory');
    dev.pushErrorScope('validation');
    const fresh = new Set<number>();
    try {
      for (const r of plan.uploadInputs) this.upload(res, r, host[r]!);
      let enc = dev.createCommandEncoder();
      let pass: GPUComputePassEncoder | undefined;
      let pending = false; // GPU work encoded and not yet submitted
      for (let s = 0; s < plan.steps.length; s++) {
        const st = plan.steps[s];
        if (st.kind === 'gpu') {
          if (!res.gpu[s].length) continue;
          pass ??= enc.beginComputePass();
          for (const d of res.gpu[s]) {
            pass.setPipeline(d.pipeline);
            pass.setBindGroup(0, d.group);
            pass.dispatchWorkgroups(...d.workgroups);
          }
          pending = true;
          continue;
        }
        pass?.end();
        pass = undefined;
        if (st.download.length) {
          enc = await this.readBack(res, enc, st.download, host);
          st.download.forEach((r) => fresh.add(r));
          pending = false;
        } else if (pending && st.upload.length) {
          // queue.writeBuffer runs ahead of commands not yet submitted, and the upload may land
          // in a buffer those commands still use: submit them first.
          dev.queue.submit([enc.finish()]);
          enc = dev.createCommandEncoder();
          pending = false;
        }
        this.runCpu(res, s, st, host);
      }
      pass?.end();
      await this.readBack(res, enc, plan.downloadOutputs, host);
      plan.downloadOutputs.forEach((r) => fresh.add(r));
    } catch (e) {
      backend.check();
      throw e;
    } finally {
      // A lost device rejects these; the loss is what gets reported then.
      const [validation, oom] = await Promise.all([dev.popErrorScope(), dev.popErrorScope()]).catch(() => [null, null]);
      const err = validation ?? oom;
      if (err) throw new WebGpuError(`WebGPU ${validation ? 'validation' : 'out-of-memory'} error during run: ${err.message}`);
    }
    return plan.outputs.map((o) => {
      const v = values[o], r = v.root;
      const data = host[r] ?? values[r].data ?? allocKernel(v.dtype, 0);
      const isFresh = fresh.delete(r);
      return new Tensor(v.dtype, v.shape, toPublic(v.dtype, data, isFresh) as never);
    });
  }

  private upload(res: Resources, r: number, data: KernelData): void {
    const v = this.plan.values[r];
    const bytes = toGpu(v.dtype, data, this.backend.env.f16);
    if (bytes.byteLength) this.backend.device.queue.writeBuffer(res.slots[v.slot], 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.backend.log?.(`  upload '${v.name}' ${v.dtype}[${v.shape.join('x')}] ${bytes.byteLength} B`);
  }

  /** Submits `enc` after copying `roots` to the staging buffer; reads them into `host`. Returns a fresh encoder. */
  private async readBack(res: Resources, enc: GPUCommandEncoder, roots: readonly number[], host: (KernelData | undefined)[]): Promise<GPUCommandEncoder> {
    const { values } = this.plan, f16 = this.backend.env.f16, dev = this.backend.device;
    const at: number[] = [];
    let total = 0;
    for (const r of roots) {
      const bytes = gpuBytes(values[r].dtype, values[r].size, f16);
      at.push(total);
      if (bytes) enc.copyBufferToBuffer(res.slots[values[r].slot], 0, res.staging!, total, bytes);
      total += bytes;
    }
    dev.queue.submit([enc.finish()]);
    if (total > 0) {
      await res.staging!.mapAsync(MAP_READ_MODE, 0, total);
      const mapped = res.staging!.getMappedRange(0, total);
      roots.forEach((r, k) => { host[r] = fromGpu(values[r].dtype, mapped, at[k], values[r].size, f16); });
      res.staging!.unmap();
    } else roots.forEach((r) => { host[r] = allocKernel(values[r].dtype, 0); });
    for (const r of roots) this.backend.log?.(`  download '${values[r].name}' ${values[r].dtype}[${values[r].shape.join('x')}] ${gpuBytes(values[r].dtype, values[r].size, f16)} B`);
    return dev.createCommandEncoder();
  }

  private runCpu(res: Resources, s: number, st: CpuStep, host: (KernelData | undefined)[]): void {
    const { values } = this.plan;
    this.backend.log?.(`  node '${st.pn.node.name}' (${st.pn.node.op}) runs on CPU: ${st.reason}`);
    const ins = st.inputs.map((i): KTensor | undefined => (i < 0 ? undefined : { dtype: values[i].dtype, shape: values[i].shape, data: host[values[i].root] ?? values[values[i].root].data ?? EMPTY }));
    const outs = st.outputs.map((o, k): KTensor => ({ dtype: values[o].dtype, shape: values[o].shape, data: res.cpuOut[s][k] }));
    st.kernel.run(ins, st.prepared, outs, res.cpuScratch[s]);
    st.outputs.forEach((o, k) => { host[values[o].root] = res.cpuOut[s][k]; });
    for (const r of st.upload) this.upload(res, r, host[r]!);
  }

  private async instantiate(): Promise<Resources> {
    const { plan, backend } = this, dev = backend.device, f16 = backend.env.f16;
    const storageUsage = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
    const slots = plan.slotBytes.map((b) => backend.pool.acquire(b, storageUsage));
    const folded = new Map<number, GPUBuffer>();
    // Largest read-back at any one point of a run.
    const downloads = [plan.downloadOutputs, ...plan.steps.map((s) => (s.kind === 'cpu' ? s.download : []))];
    const stagingBytes = Math.max(0, ...downloads.map((rs) => rs.reduce((n, r) => n + gpuBytes(plan.values[r].dtype, plan.values[r].size, f16), 0)));
    const staging = stagingBytes > 0 ? backend.pool.acquire(stagingBytes, USAGE.MAP_READ | USAGE.COPY_DST) : undefined;

    // All uniforms of the plan in one buffer, each dispatch at an aligned offset.
    const align = dev.limits.minUniformBufferOffsetAlignment;
    const dispatches: { s: number; d: Dispatch; offset: number; size: number }[] = [];
    let ubytes = 0;
    plan.steps.forEach((st, s) => {
      if (st.kind !== 'gpu') return;
      for (const d of st.dispatches) {
        const size = Math.ceil((d.program.uniforms(d.spec).length * 4) / 16) * 16;
        dispatches.push({ s, d, offset: ubytes, size });
        ubytes += Math.ceil(size / align) * align;
      }
    });
    const uniforms = ubytes > 0 ? backend.pool.acquire(ubytes, USAGE.UNIFORM | USAGE.COPY_DST) : undefined;
    const udata = new ArrayBuffer(ubytes);
    let t0 = performance.now();
    const pipelines = await Promise.all(dispatches.map((x) => backend.pipeline(x.d)));
    this.setup.pipelinesMs = performance.now() - t0;
    t0 = performance.now();
    const constantBytes = backend.constantBytes;
    const gpu: BoundDispatch[][] = plan.steps.map(() => []);
    dev.pushErrorScope('validation');
    dispatches.forEach(({ s, d, offset, size }, k) => {
      const st = plan.steps[s] as GpuStep;
      packUniforms(d, udata, offset);
      const entries: GPUBindGroupEntry[] = d.bindings.map((b, i) => ({ binding: i, resource: { buffer: this.bufferFor(b, st, slots, folded) } }));
      if (size > 0) entries.push({ binding: entries.length, resource: { buffer: uniforms!, offset, size } });
      const group = dev.createBindGroup({ layout: pipelines[k].layout, entries, label: `${st.pn.node.name}/${d.program.name}` });
      gpu[s].push({ pipeline: pipelines[k].pipeline, group, workgroups: d.workgroups });
    });
    const err = await dev.popErrorScope();
    if (err) throw new WebGpuError(`WebGPU could not bind the plan's buffers: ${err.message}`);
    if (uniforms) dev.queue.writeBuffer(uniforms, 0, udata);
    // Constants are uploaded as bind groups first reference them.
    this.setup.uploadBytes = backend.constantBytes - constantBytes;
    await dev.queue.onSubmittedWorkDone();
    this.setup.uploadMs = performance.now() - t0;
    const cpuOut = plan.steps.map((st) => (st.kind === 'cpu' ? st.outputs.map((o) => allocKernel(plan.values[o].dtype, plan.values[o].size)) : []));
    const cpuScratch = plan.steps.map((st) => (st.kind === 'cpu' && st.scratchBytes > 0 ? new Float32Array(Math.ceil(st.scratchBytes / 4)) : EMPTY));
    return { slots, folded, uniforms, staging, gpu, cpuOut, cpuScratch };
  }

  private bufferFor(b: BufferRef, st: GpuStep, slots: GPUBuffer[], folded: Map<number, GPUBuffer>): GPUBuffer {
    const { values } = this.plan, backend = this.backend;
    if ('data' in b) return backend.constantBuffer(b.data);
    if ('scratch' in b) return slots[st.scratch[b.scratch]];
    const v = values['input' in b ? st.inputs[b.input] : st.outputs[b.output]];
    const root = values[v.root];
    if (root.kind !== 'constant') return slots[root.slot];
    if (root.initializer) return backend.constantBuffer(root.data!, root.dtype);
    let buf = folded.get(v.root);
    if (!buf) {
      const bytes = toGpu(root.dtype, root.data!, backend.env.f16);
      buf = backend.pool.acquire(bytes.byteLength, USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST);
      if (bytes.byteLength) backend.device.queue.writeBuffer(buf, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
      folded.set(v.root, buf);
    }
    return buf;
  }
}

function packUniforms(d: Dispatch, buf: ArrayBuffer, offset: number): void {
  const fields = d.program.uniforms(d.spec), view = new DataView(buf, offset);
  fields.forEach((f, i) => {
    const v = d.uniforms[f.name];
    if (v === undefined || Number.isNaN(v)) throw new WebGpuError(`program '${d.program.name}': uniform '${f.name}' has no value`);
    if (f.type === 'f32') view.setFloat32(4 * i, v, true);
    else if (f.type === 'i32') view.setInt32(4 * i, v, true);
    else view.setUint32(4 * i, v, true);
  });
}
