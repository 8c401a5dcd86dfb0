import type { Graph, Node, PackedWeight } from '../graph/graph.js';
import { schemaOf } from '../ops/index.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { Tensor } from '../tensor.js';
import { runProbe } from './calibrate.js';
import { window2d } from '../../kernels/cpu/conv.js';

/** A quantized layer to correct: its node in the float graph, the float weight as the quantized op sees it, and the packed weight. */
export interface CorrectionTarget {
  node: Node;
  kind: 'matmul' | 'conv';
  dense: Tensor;
  packed: PackedWeight;
}

/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization", 2019, section 4.2): weight
 * rounding errors shift each output channel's mean by E[dW x] = dW E[x], a bias that later layers
 * and pooling do not average away. Running the graph on calibration inputs gives E[x] for each
 * layer's GEMM rows (a conv's receptive fields, padding included); the shift is subtracted from
 * the layer's bias. `inputMeans` measures E[x] (on the float graph), `biasShifts` turns it into
 * the shift per output channel.
 */
export function inputMeans(g: Graph, targets: readonly CorrectionTarget[], feeds: readonly Record<string, Tensor>[]): Map<Node, Float64Array> {
  const sums = new Map<Node, Float64Array>(), counts = new Map<Node, number>();
  runProbe(g, targets.map((t) => t.node.inputs[0]), feeds, (value, types) => {
    for (const t of targets) {
      const x = value.get(t.node.inputs[0])!;
      const [mean, n] = t.kind === 'matmul' ? rowMeans(x) : patchMeans(t, x, types.get(t.node.outputs[0])!.shape as number[]);
      const acc = sums.get(t.node) ?? new Float64Array(mean.length);
      for (let i = 0; i < mean.length; i++) acc[i] += mean[i] * n;
      sums.set(t.node, acc);
      counts.set(t.node, (counts.get(t.node) ?? 0) + n);
    }
  });
  for (const t of targets) {
    const e = sums.get(t.node)!, n = Math.max(1, counts.get(t.node)!);
    for (let i = 0; i < e.length; i++) e[i] /= n;
  }
  return sums;
}

/** The mean output shift of each target per output channel, dW E[x]. */
export function biasShifts(targets: readonly CorrectionTarget[], means: ReadonlyMap<Node, Float64Array>): Map<Node, Float64Array> {
  const shifts = new Map<Node, Float64Array>();
  for (const t of targets) {
    const e = means.get(t.node)!, deq = t.packed.dequantize().data, w = t.dense.data as Float32Array;
    const conv = t.kind === 'conv', rows = conv ? t.dense.shape[0] : t.dense.shape[1], K = w.length / Math.max(1, rows);
    const group = conv ? (schemaOf(t.node.op)!.parse(t.node.attrs) as ConvAttrs).group : 1, Mg = rows / group;
    const shift = new Float64Array(rows);
    for (let m = 0; m < rows; m++) {
      const g0 = conv ? Math.floor(m / Mg) * K : 0;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const i = conv ? m * K + k : k * rows + m;
        s += (deq[i] - w[i]) * e[g0 + k];
      }
      shift[m] = s;
    }
    shifts.set(t.node, shift);
  }
  return shifts;
}

/** Mean of each column of x viewed as [rows, K]; and the row count. */
function rowMeans(x: Tensor): [Float64Array, number] {
  const K = x.shape[x.shape.length - 1], d = x.data as Float32Array, rows = d.length / Math.max(1, K), out = new Float64Array(K);
  for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) out[k] += d[r * K + k];
  for (let k = 0; k < K; k++) out[k] /= Math.max(1, rows);
  return [out, rows];
}

/** Mean of each receptive-field element (group, c, kh, kw) over all output pixels: [group * K] values. */
function patchMeans(t: CorrectionTarget, x: Tensor, yShape: number[]): [Float64Array, number] {
  const attrs = schemaOf(t.node.op)!.parse(t.node.attrs) as ConvAttrs, w = t.dense.shape;
  const q = window2d(attrs, w.slice(2), x.shape, yShape);
  const [N, C] = x.shape, Cg = w[1], groups = C / Cg, K = Cg * q.KH * q.KW, d = x.data as Float32Array;
  const out = new Float64Array(groups * K), pixels = N * q.OH * q.OW;
  for (let n = 0; n < N; n++) for (let ch = 0; ch < C; ch++) {
    const g = Math.floor(ch / Cg), c = ch % Cg, base = (n * C + ch) * q.H * q.W;
    for (let kh = 0; kh < q.KH; kh++) for (let kw = 0; kw < q.KW; kw++) {
      let s = 0;
      for (let oh = 0; oh < q.OH; oh++) {
        const iy = oh * q.SH - q.PT + kh * q.DH;
        if (iy < 0 || iy >= q.H) continue;
        for (let ow = 0; ow < q.OW; ow++) {
          const ix = ow * q.SW - q.PL + kw * q.DW;
          if (ix >= 0 && ix < q.W) s += d[base + iy * q.W + ix];
        }
      }
      out[g * K + (c * q.KH + kh) * q.KW + kw] += s;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= Math.max(1, pixels);
  return [out, pixels];
}
