/**
 * The conv layout decision, measured: MobileNetV2's pointwise convs as the GEMM each layout
 * makes of them. NCHW (ONNX's layout): Y[M, P] = W[M, K] X[K, P]. NHWC: Y[P, M] = X[P, K] W^T,
 * with W as ONNX stores it ([M, K], read with column stride K). Best of 15 runs per shape (the
 * machine is shared; the minimum is the figure least disturbed by other load).
 *
 *   npm run build && node dist/bench/layout.js
 */
import { sgemm, sgemmWorkspaceFloats } from '../kernels/cpu/sgemm.js';
import { seededFloats } from './data.js';

/** [K (input channels), M (output channels), P (pixels)] of MobileNetV2 1.0/224's 1x1 convs. */
const SHAPES = [[16, 96, 12544], [24, 144, 3136], [32, 192, 784], [64, 384, 196], [96, 576, 196], [160, 960, 49], [320, 1280, 49], [576, 96, 196], [960, 160, 49], [144, 24, 3136]] as const;

function best(f: () => void, runs = 15): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

let totalNchw = 0, totalNhwc = 0;
for (const [K, M, P] of SHAPES) {
  const w = seededFloats(M * K, 1), x = seededFloats(K * P, 2), y = new Float32Array(M * P);
  const ws = new Float32Array(Math.max(sgemmWorkspaceFloats(M, P, K), sgemmWorkspaceFloats(P, M, K)));
  const nchw = best(() => sgemm(M, P, K, w, 0, K, 1, x, 0, P, 1, y, 0, P, false, ws));
  const nhwc = best(() => sgemm(P, M, K, x, 0, K, 1, w, 0, 1, K, y, 0, M, false, ws));
  totalNchw += nchw; totalNhwc += nhwc;
  console.log(`1x1 ${K}->${M} @${P}`.padEnd(24) + `NCHW ${nchw.toFixed(2).padStart(7)} ms   NHWC ${nhwc.toFixed(2).padStart(7)} ms`);
}
console.log(`${'all'.padEnd(24)}NCHW ${totalNchw.toFixed(2).padStart(7)} ms   NHWC ${totalNhwc.toFixed(2).padStart(7)} ms   (NHWC / NCHW = ${(totalNhwc / totalNchw).toFixed(2)})`);
