/**
 * n floats from src[from..] to dst[to..]: a loop for short runs, where making a subarray view
 * costs more than the copy (MobileNetV2's last depthwise convs ran at 0.7-2 GFLOP/s with a
 * set() for every row). Shared by the SIMD engine's
 * drivers; its own file so they can use it without loading the module's bytes.
 */
export function copyRun(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  if (n >= SHORT_RUN) { dst.set(src.subarray(from, from + n), to); return; }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}
const SHORT_RUN = 64;
