import type { QConvAttrs } from '../../src/ops/q-conv.js';
import { cpuKernel } from '../types.js';
import { applyEpilogue, prepareConv, runConv, type ConvPlan, type Window2d } from './conv.js';
import { quantView, type QuantView } from './q-weights.js';
import { gemmF32I8, gemmI8Pairs, quantizeRowPairs } from './q-gemm-i8.js';
import { gemmF32I4, gemmI8I4 } from './q-gemm-i4.js';
import { rowTile, ScratchCache, scratchBytesOf, type ScratchLayout } from './q-scratch.js';
import { colBlocks, padChannels, panelInt4, panelInt8 } from './q-panel.js';
import { QMode } from './q-mode.js';
import { splitQGemm } from './q-split.js';
import type { ParallelGemm } from './parallel.js';

type Mode = 'depthwise' | 'i8f' | 'i8i8' | 'i4f' | 'i4i8';
const MODE_CODE = { depthwise: -1, i8f: QMode.I8F, i4f: QMode.I4F, i8i8: QMode.I8I8, i4i8: QMode.I4I8 } as const;

interface QConvPlan {
  mode: Mode;
  conv: ConvPlan;
  /** Output pixels per tile of patch rows. */
  tileP: number;
  /** depthwise: the weights dequantized once here (9 floats a channel: compute in float, store in int). */
  wf: Float32Array;
  /** The weight as 4-channel column panels, one panel per group (Mg channels each). */
  panels: Int32Array[]; jbs: number;
  G: number; blocks: number;
  /** Scales per group, channels padded to whole blocks. */
  scales: Float32Array[];
  layout: ScratchLayout;
  scratch: ScratchCache;
  /** Per-group views of a bias array, made once per array (a constant bias is the same array every run). */
  biasViews: WeakMap<Float32Array, Float32Array[]>;
}

/**
 * QConv: a conv as a GEMM of patch rows (one per output pixel, its receptive field: the
 * transpose of im2col, so "per row" dynamic quantization is per pixel) by the packed weight
 * rows (one per output channel), written back to NCHW. Depthwise convs run the float kernel on
 * weights dequantized at plan time: they are a few bytes per channel and memory-bound anyway.
 */
export const qConv = cpuKernel<QConvAttrs, QConvPlan>({
  prepare(attrs, inputs, outputs) {
    const conv = prepareConv(attrs, inputs, outputs);
    const v = quantView(inputs[1].packed, 'QConv', 0);
    if (conv.M > 0 && v.depth !== conv.K) throw new Error(`QConv: packed weight has depth ${v.depth}, expected C/group * kh * kw = ${conv.K}`);
    const int8In = attrs.inputQuant === 'int8', i4 = v.format === 'int4';
    const mode: Mode = conv.mode === 'depthwise' ? 'depthwise' : i4 ? (int8In ? 'i4i8' : 'i4f') : int8In ? 'i8i8' : 'i8f';
    const tileP = rowTile(conv.P, conv.K), blocks = i4 ? v.blocks : 0, K = conv.K;
    const layout: ScratchLayout = mode === 'depthwise' ? { f64: [], f32: [] } : {
      f64: [int8In ? ((tileP + 1) >> 1) * K : 0, 24, 3 * blocks],
      f32: [tileP * K, int8In ? tileP : 0],
    };
    return {
      mode, conv, tileP,
      wf: mode === 'depthwise' ? v.dequantize().data : new Float32Array(0),
      ...groupPanels(v, conv.group, mode === 'depthwise'), G: i4 ? v.groupSize : 0, blocks,
      layout, scratch: new ScratchCache(layout), biasViews: new WeakMap(),
    };
  },
  scratchBytes: (p) => scratchBytesOf(p.layout),
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const x = inputs[0]!.data as Float32Array, b = inputs[2]?.data as Float32Array | undefined, y = outputs[0].data as Float32Array;
    if (p.mode === 'depthwise') { runConv(x, p.wf, b, y, p.conv, scratch); return; }
    if (y.length === 0) return;
    const { N, C, M, group, Cg, Mg, K, P, win } = p.conv, HW = win.H * win.W, s = p.scratch.views(scratch);
    const pairs = s.f64[0], acc = s.f64[1], gs = s.f64[2], patches = s.f32[0], rowScale = s.f32[1];
    let bias: Float32Array[] | undefined;
    if (b) {
      bias = p.biasViews.get(b);
      if (!bias) { bias = Array.from({ length: group }, (_, g) => b.subarray(g * Mg, (g + 1) * Mg)); p.biasViews.set(b, bias); }
    }
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < group; g++) {
        const xOff = (n * C + g * Cg) * HW, m0 = g * Mg;
        for (let p0 = 0; p0 < P; p0 += p.tileP) {
          const rows = Math.min(p.tileP, P - p0), yOff = n * M * P + p0;
          im2row(x, xOff, Cg, win, patches, p0, rows, K);
          // The group's channels: its own panel and scales, outputs from channel m0 on.
          const panel = p.panels[g], sc = p.scales[g], bg = bias?.[g], yg = yOff + m0 * P, code = MODE_CODE[p.mode];
          // int8 inputs are quantized once, here, before the product is shared out.
          if (code >= QMode.I8I8) quantizeRowPairs(patches, 0, K, rows, K, pairs, rowScale);
          if (splitQGemm(par, code, rows, K, Mg, p.G, p.blocks, patches, 0, K, pairs, rowScale, panel, sc, bg, y, yg, 1, P)) continue;
          switch (p.mode) {
            case 'i8f': gemmF32I8(rows, K, patches, 0, K, panel, 0, p.jbs, Mg, sc, bg, y, yg, 1, P); break;
            case 'i4f': gemmF32I4(rows, K, patches, 0, K, panel, p.G, p.blocks, 0, p.jbs, Mg, sc, bg, y, yg, 1, P, acc, gs); break;
            case 'i8i8':
              gemmI8Pairs(rows, K, pairs, panel, 0, p.jbs, Mg, rowScale, sc, bg, y, yg, 1, P, acc);
              break;
            case 'i4i8':
              gemmI8I4(rows, K, pairs, panel, p.G, p.blocks, 0, p.jbs, Mg, rowScale, sc, bg, y, yg, 1, P, acc, gs);
              break;
          }
        }
      }
    }
    if (p.conv.act.kind !== 'none') for (let i = 0; i < N * M; i++) applyEpilogue(y, i * P, P, 0, p.conv.act);
  },
});

/** One panel (and scales) per conv group: the group's Mg channels are the GEMM's columns. */
function groupPanels(v: QuantView, group: number, depthwise: boolean): { panels: Int32Array[]; scales: Float32Array[]; jbs: number } {
  if (depthwise) return { panels: [], scales: [], jbs: 0 };
  const Mg = v.rows / group, all = v.format === 'int4' ? v.scalesFloat32() : v.scales, per = v.format === 'int4' ? v.blocks : 1;
  const panels: Int32Array[] = [], scales: Float32Array[] = [];
  for (let g = 0; g < group; g++) {
    if (v.format === 'int8') {
      panels.push(panelInt8({ rows: Mg, depth: v.depth, stride: v.stride, quants: v.quants.subarray(g * Mg * v.stride, (g + 1) * Mg * v.stride) }));
    } else {
      const rowBytes = v.blocks * (v.groupSize >> 1);
      panels.push(panelInt4({ rows: Mg, depth: v.depth, groupSize: v.groupSize, blocks: v.blocks, quants: v.quants.subarray(g * Mg * rowBytes, (g + 1) * Mg * rowBytes) }));
    }
    scales.push(padChannels(all.subarray(g * Mg * per, (g + 1) * Mg * per), Mg, per, v.quants));
  }
  return { panels, scales, jbs: colBlocks(Mg) };
}

/**
 * Patch rows for output pixels p0 .. p0 + rows: out[r * K + (c * KH + kh) * KW + kw] is the input
 * under tap (kh, kw) of channel c for pixel p0 + r (0 in the padding), the weights' K order.
 */
function im2row(x: Float32Array, xOff: number, Cg: number, q: Window2d, out: Float32Array, p0: number, rows: number, K: number): void {
  const { H, W, OW, KH, KW, SH, SW, DH, DW, PT, PL } = q, HW = H * W;
  if (KH === 1 && KW === 1 && SH === 1 && SW === 1 && PT === 0 && PL === 0 && q.PB === 0 && q.PR === 0) {
    for (let r = 0; r < rows; r++) for (let c = 0, o = r * K; c < Cg; c++) out[o + c] = x[xOff + c * HW + p0 + r];
    return;
  }
  for (let r = 0; r < rows; r++) {
    const p = p0 + r, oh = Math.floor(p / OW), ow = p - oh * OW, iy0 = oh * SH - PT, ix0 = ow * SW - PL;
    let o = r * K;
    for (let c = 0; c < Cg; c++) {
      const xc = xOff + c * HW;
      for (let kh = 0; kh < KH; kh++) {
        const iy = iy0 + kh * DH, inRow = iy >= 0 && iy < H, xr = xc + iy * W;
        for (let kw = 0; kw < KW; kw++, o++) {
          const ix = ix0 + kw * DW;
          out[o] = inRow && ix >= 0 && ix < W ? x[xr + ix] : 0;
        }
      }
    }
  }
}
