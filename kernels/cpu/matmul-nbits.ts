import type { MatMulNBitsAttrs } from '../../src/ops/matmul-nbits.js';
import type { KernelData } from '../../src/dtype.js';
import { cpuKernel } from '../types.js';
import { gemmF32I4 } from './q-gemm-i4.js';
import { ScratchCache, scratchBytesOf, type ScratchLayout } from './q-scratch.js';
import { colBlocks, padChannels, panelInt4 } from './q-panel.js';
import { QMode } from './q-mode.js';
import { splitQGemm } from './q-split.js';
import type { ParallelGemm } from './parallel.js';

interface NBitsWeights { panel: Int32Array; scales: Float32Array; zeros?: Float32Array }

interface Plan { M: number; K: number; N: number; G: number; blocks: number; constant?: NBitsWeights; scratch: ScratchCache; layout: ScratchLayout }

/** B, scales and zero points in the form gemmF32I4 reads: B's blocks are the int4 format's rows, repacked into panels. */
function nbitsWeights(b: KernelData, s: KernelData, z: KernelData | undefined, K: number, N: number, G: number, blocks: number): NBitsWeights {
  // In shared memory when B is (a session with threads shares its constants), for split runs.
  const panel = panelInt4({ rows: N, depth: K, groupSize: G, blocks, quants: b as Uint8Array });
  const scales = padChannels(s instanceof Float32Array ? s : Float32Array.from(s), N, blocks, b);
  if (!z) return { panel, scales };
  const zeros = new Float32Array(N * blocks);
  if (z instanceof Uint8Array) { // packed: two 4-bit zero points per byte, each row padded to whole bytes
    const rowBytes = Math.ceil(blocks / 2);
    for (let n = 0; n < N; n++) for (let g = 0; g < blocks; g++) zeros[n * blocks + g] = (z[n * rowBytes + (g >> 1)] >> ((g & 1) * 4)) & 15;
  } else zeros.set(z);
  return { panel, scales, zeros: padChannels(zeros, N, blocks, b) };
}

/**
 * com.microsoft MatMulNBits (4-bit): the int4 GEMM core on the blocks as they are stored, zero
 * points folded in per group. Constant weights (the usual case) are prepared once.
 */
export const matMulNBits = cpuKernel<MatMulNBitsAttrs, Plan>({
  prepare(attrs, inputs) {
    const a = inputs[0].shape, { K, N, blockSize: G } = attrs, blocks = Math.ceil(K / G);
    const M = a.slice(0, -1).reduce((x, y) => x * y, 1);
    // Constant B and scales (and zero points, when given) are prepared once. An absent optional
    // input and a computed one look alike here, so with more than 3 inputs the zero points must
    // be known constants to take this path; otherwise run() reads them.
    const b = inputs[1], s = inputs[2], zKnown = inputs.length <= 3 || inputs[3].data !== undefined;
    const constant = b.data && s.data && zKnown ? nbitsWeights(b.data, s.data, inputs[3]?.data, K, N, G, blocks) : undefined;
    const layout: ScratchLayout = { f64: [12, 3 * blocks], f32: [] };
    return { M, K, N, G, blocks, constant, layout, scratch: new ScratchCache(layout) };
  },
  scratchBytes: (p) => scratchBytesOf(p.layout),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const wts = p.constant ?? nbitsWeights(inputs[1]!.data, inputs[2]!.data, inputs[3]?.data, p.K, p.N, p.G, p.blocks);
    const a = inputs[0]!.data as Float32Array, bias = inputs[5]?.data as Float32Array | undefined, y = outputs[0].data as Float32Array;
    if (splitQGemm(par, QMode.I4F, p.M, p.K, p.N, p.G, p.blocks, a, 0, p.K, undefined, undefined, wts.panel, wts.scales, bias, y, 0, p.N, 1, wts.zeros)) return;
    const [acc, gs] = p.scratch.views(scratch).f64;
    gemmF32I4(p.M, p.K, a, 0, p.K, wts.panel, p.G, p.blocks, 0, colBlocks(p.N), p.N, wts.scales, bias, y, 0, p.N, 1, acc, gs, wts.zeros);
  },
});
