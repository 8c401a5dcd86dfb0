/** A WebGPU backend problem: no adapter, no device, a lost device, a shader that did not compile. */
export class WebGpuError extends Error {
  override name = 'WebGpuError';
}
