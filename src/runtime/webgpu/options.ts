/**
 * SessionOptions.webgpu. Kept apart from the backend (and free of WebGPU types) so the public
 * declarations do not need @webgpu/types: a CPU-only user's typecheck never sees GPU types.
 */
export interface WebGpuOptions {
  /**
   * A GPUDevice to use instead of acquiring one (several sessions can share a device; creating
   * one is slow). The session frees its own buffers on dispose and leaves the device alone.
   */
  device?: object;
  powerPreference?: 'low-power' | 'high-performance';
  /** Node only: flags for the `webgpu` package's create(), e.g. ['adapter=llvmpipe']. */
  dawnFlags?: string[];
}
