import type { QMatMulAttrs } from '../../src/ops/q-matmul.js';
import { cpuKernel } from '../types.js';
import { activate, planActivation, type ActivationPlan } from './gemm.js';
import { quantView } from './q-weights.js';
import { gemmF32I8, gemmI8Pairs, quantizeRowPairs } from './q-gemm-i8.js';
import { gemmF32I4, gemmI8I4 } from './q-gemm-i4.js';
import { rowTile, ScratchCache, scratchBytesOf, type ScratchLayout } from './q-scratch.js';
import { colBlocks, padChannels, panelInt4, panelInt8 } from './q-panel.js';
import { QMode } from './q-mode.js';
import { splitQGemm } from './q-split.js';
import type { ParallelGemm } from './parallel.js';

/** Which core runs: weight format x whether input rows are quantized to int8. */
type Mode = 'i8f' | 'i8i8' | 'i4f' | 'i4i8';
const MODE_CODE = { i8f: QMode.I8F, i4f: QMode.I4F, i8i8: QMode.I8I8, i4i8: QMode.I4I8 } as const;

interface QMatMulPlan {
  mode: Mode;
  M: number; K: number; N: number;
  /** Rows per tile (int8 inputs: bounds the packed-pairs scratch). */
  tileM: number;
  /** The weight as 4-channel column panels (q-panel.ts), and its number of blocks. */
  panel: Int32Array; jbs: number;
  G: number; blocks: number;
  scales: Float32Array;
  act: ActivationPlan;
  layout: ScratchLayout;
  scratch: ScratchCache;
}

/** QMatMul: act(A @ W + bias), W packed int8 or int4 (captured here: its run-time data is empty). */
export const qMatMul = cpuKernel<QMatMulAttrs, QMatMulPlan>({
  prepare(attrs, inputs) {
    const a = inputs[0].shape, [K, N] = inputs[1].shape;
    const v = quantView(inputs[1].packed, 'QMatMul', 1);
    if (N > 0 && v.depth !== K) throw new Error(`QMatMul: packed weight has depth ${v.depth}, A has K = ${K}`);
    const M = a.length === 1 ? 1 : a.slice(0, -1).reduce((x, y) => x * y, 1);
    const int8In = attrs.inputQuant === 'int8';
    const tileM = int8In ? rowTile(M, K) : Math.max(M, 1);
    const i4 = v.format === 'int4';
    const blocks = i4 ? v.blocks : 0;
    const layout: ScratchLayout = {
      f64: int8In ? [((tileM + 1) >> 1) * K, 24, 3 * blocks] : [24, 3 * blocks],
      f32: int8In ? [tileM] : [],
    };
    return {
      mode: i4 ? (int8In ? 'i4i8' : 'i4f') : int8In ? 'i8i8' : 'i8f',
      M, K, N, tileM,
      panel: i4 ? panelInt4(v) : panelInt8(v), jbs: colBlocks(N), G: i4 ? v.groupSize : 0, blocks,
      scales: i4 ? padChannels(v.scalesFloat32(), N, blocks, v.quants) : v.scales,
      act: planActivation(attrs.activation),
      layout, scratch: new ScratchCache(layout),
    };
  },
  scratchBytes: (p) => scratchBytesOf(p.layout),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const a = inputs[0]!.data as Float32Array, y = outputs[0].data as Float32Array, bias = inputs[2]?.data as Float32Array | undefined;
    const { M, K, N, mode } = p, s = p.scratch.views(scratch), code = MODE_CODE[mode];
    for (let r0 = 0; r0 < M; r0 += p.tileM) {
      const rows = Math.min(p.tileM, M - r0), aOff = r0 * K, yOff = r0 * N;
      // int8 inputs are quantized once, here, before the product is shared out.
      if (code >= QMode.I8I8) quantizeRowPairs(a, aOff, K, rows, K, s.f64[0], s.f32[0]);
      if (splitQGemm(par, code, rows, K, N, p.G, p.blocks, a, aOff, K, s.f64[0], s.f32[0], p.panel, p.scales, bias, y, yOff, N, 1)) continue;
      switch (mode) {
        case 'i8f': gemmF32I8(rows, K, a, aOff, K, p.panel, 0, p.jbs, N, p.scales, bias, y, yOff, N, 1); break;
        case 'i4f': gemmF32I4(rows, K, a, aOff, K, p.panel, p.G, p.blocks, 0, p.jbs, N, p.scales, bias, y, yOff, N, 1, s.f64[0], s.f64[1]); break;
        case 'i8i8':
          gemmI8Pairs(rows, K, s.f64[0], p.panel, 0, p.jbs, N, s.f32[0], p.scales, bias, y, yOff, N, 1, s.f64[1]);
          break;
        case 'i4i8':
          gemmI8I4(rows, K, s.f64[0], p.panel, p.G, p.blocks, 0, p.jbs, N, s.f32[0], p.scales, bias, y, yOff, N, 1, s.f64[1], s.f64[2]);
          break;
      }
    }
    if (p.act.code !== 0) for (let r = 0; r < M; r++) activate(y, r * N, N, p.act);
  },
});
