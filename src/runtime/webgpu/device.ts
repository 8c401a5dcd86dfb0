/// <reference types="@webgpu/types" />
import { WebGpuError } from './errors.js';

/** Options for acquiring a device (SessionOptions.webgpu passes these through). */
export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Ask for shader-f16 (when the adapter has it). */
  f16?: boolean;
  /** Node only: flags for the `webgpu` package's create() (e.g. ['adapter=llvmpipe']). */
  dawnFlags?: string[];
}

/**
 * An acquired device. `gpu` is the object that owns it: in Node it is what the `webgpu`
 * package's create() returned, and it must stay referenced for as long as the device lives
 * (when it is collected first, Dawn's device threads crash the process). Call release() to
 * destroy the device; after that the handle can be dropped.
 */
export interface GpuDeviceHandle {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** shader-f16 is enabled on the device. */
  readonly f16: boolean;
  /** Where the device came from, for messages: 'navigator.gpu' or 'webgpu (Dawn)'. */
  readonly source: string;
  /** Set once the device is lost (destroyed, driver reset, ...). */
  lost: GPUDeviceLostInfo | undefined;
  release(): void;
}

type DawnModule = { create(flags: string[]): GPU };

/** navigator.gpu in browsers and workers; in Node, the optional `webgpu` package (Dawn), imported only now. */
async function findGpu(flags: string[]): Promise<{ gpu: GPU; source: string }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, source: 'navigator.gpu' };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) throw new WebGpuError('WebGPU is not available here: navigator.gpu is undefined (a browser without WebGPU, or a page that is not a secure context)');
  let mod: DawnModule;
  try {
    // A variable specifier keeps bundlers from trying to resolve the Node-only package.
    const name = 'webgpu';
    mod = (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (e) {
    throw new WebGpuError(`the webgpu backend in Node needs the optional peer dependency 'webgpu' (Dawn): npm install webgpu (${(e as Error).message})`);
  }
  return { gpu: mod.create(flags), source: 'webgpu (Dawn)' };
}

/** Limits worth raising to what the adapter allows (the defaults are small). */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension',
] as const;

/** Adapter then device; clear errors when there is neither. */
export async function acquireDevice(opts: DeviceOptions = {}): Promise<GpuDeviceHandle> {
  const { gpu, source } = await findGpu(opts.dawnFlags ?? []);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  } catch (e) {
    throw new WebGpuError(`no WebGPU adapter from ${source}: ${(e as Error).message}`);
  }
  if (!adapter) {
    throw new WebGpuError(`no WebGPU adapter from ${source}: this machine has no GPU WebGPU can use` +
      (source.startsWith('webgpu') ? ' (Dawn needs a Vulkan driver; on a machine without a GPU install a CPU one, see scripts/install-webgpu-driver.sh)' : ''));
  }
  const f16 = !!opts.f16 && adapter.features.has('shader-f16');
  // Timestamp queries (kernel timing in the benchmarks) where the adapter offers them.
  const features: GPUFeatureName[] = [...(f16 ? ['shader-f16' as const] : []), ...(adapter.features.has('timestamp-query') ? ['timestamp-query' as const] : [])];
  const requiredLimits: Record<string, number> = {};
  for (const k of RAISED_LIMITS) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  } catch (e) {
    throw new WebGpuError(`the WebGPU adapter from ${source} would not create a device: ${(e as Error).message}`);
  }
  return wrapDevice(gpu, adapter, device, f16, source, true);
}

/**
 * A handle around a device the caller created (SessionOptions.webgpu.device): the session
 * frees its buffers on dispose but leaves the device itself alone.
 */
export function borrowDevice(device: GPUDevice): GpuDeviceHandle {
  return wrapDevice(undefined as unknown as GPU, undefined as unknown as GPUAdapter, device, device.features.has('shader-f16'), 'the caller', false);
}

function wrapDevice(gpu: GPU, adapter: GPUAdapter, device: GPUDevice, f16: boolean, source: string, owned: boolean): GpuDeviceHandle {
  let keep: GPU | undefined = gpu;
  const handle: GpuDeviceHandle = {
    get gpu() { return keep as GPU; },
    adapter, device, f16, source, lost: undefined,
    release() {
      if (owned) device.destroy();
      // Dropped only after destroy(): see the lifetime note on GpuDeviceHandle.
      keep = undefined;
    },
  };
  void device.lost.then((info) => { handle.lost = info; });
  return handle;
}

/** What the adapter is; `software` marks a CPU implementation (lavapipe, SwiftShader, WARP). */
export interface AdapterDescription { vendor: string; architecture: string; device: string; description: string; software: boolean }

export function describeAdapter(h: GpuDeviceHandle): AdapterDescription {
  const info = (h.adapter?.info ?? (h.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo) as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  const d = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '' };
  const software = !!info?.isFallbackAdapter || /software|llvmpipe|lavapipe|swiftshader|warp|cpu/i.test(Object.values(d).join(' '));
  return { ...d, software };
}
