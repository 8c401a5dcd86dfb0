import { inferNode } from '../graph/infer.js';
import type { Graph } from '../graph/graph.js';
import { analyze } from '../graph/analyze.js';
import { toKernelData } from '../dtype.js';
import { Tensor } from '../tensor.js';
import type { ValueType } from '../ops/types.js';
import { evaluateOnCpu } from '../runtime/cpu/evaluate.js';
import { normal } from './weights.js';

/** Samples per channel the deepest (stride 32) BN sees at least (images x positions). */
const MIN_SAMPLES = 16;
/** Weight, in samples, of the layer-average variance each channel's variance is shrunk towards. */
const PRIOR = 8;

/**
 * Sets every BatchNormalization's running mean and variance to the per-channel statistics its
 * input has in one forward pass of a seeded normal(0, 1) probe image batch, in graph order (so
 * each BN sees the output of the already calibrated ones before it): what training leaves in
 * the running statistics. With random weights and fixed statistics instead, activations drift
 * with depth (SiLU's gain depends on its input's scale, so EfficientNet blows up or dies).
 *
 * The probe has the model's resolution: at a smaller one, deep layers see mostly zero padding,
 * their variance is underestimated and the full-size model blows up. Small resolutions get a
 * larger batch so even stride-32 maps give MIN_SAMPLES per channel: deep per-channel means
 * differ between images, and statistics fitted to one tiny map amplify every other image's
 * offset (EfficientNet at 32x32 calibrated on 4 samples gives logits ~100x too large). One
 * image at 224 (7x7 = 49 samples) is enough. The statistics suit inputs of unit variance
 * (normalized images); SiLU networks amplify inputs much larger than that.
 *
 * Runs the CPU kernels once per node; modifies the BN tensors in place. The graph's first
 * input must be the NCHW image.
 */
export function calibrateBatchNorm(graph: Graph, seed: number): void {
  if (!graph.nodes.some((n) => n.op === 'BatchNormalization')) return;
  const input = graph.inputs[0];
  const [, c, h, w] = input.shape as number[];
  const batch = Math.min(MIN_SAMPLES, Math.ceil(MIN_SAMPLES / (Math.ceil(h / 32) * Math.ceil(w / 32))));
  const shape = [batch, c, h, w];
  const values = new Map<string, ValueType>();
  for (const [name, w] of graph.initializers) {
    if (w instanceof Tensor) values.set(name, { dtype: w.dtype, shape: w.shape.slice(), value: toKernelData(w.dtype, w.data) });
  }
  values.set(input.name, { dtype: 'float32', shape, value: normal(seed, 'calibration.probe', shape, 1).data });
  const order = analyze(graph).order;
  const lastUse = new Map<string, number>();
  order.forEach((pn, i) => pn.node.inputs.forEach((v) => lastUse.set(v, i)));
  order.forEach((pn, i) => {
    const { node } = pn;
    const ins = node.inputs.map((v) => (v ? values.get(v) : undefined));
    if (node.op === 'BatchNormalization') setStatistics(ins[0]!, graph.initializers.get(node.inputs[3]) as Tensor, graph.initializers.get(node.inputs[4]) as Tensor);
    const outs = inferNode(pn, ins);
    const data = evaluateOnCpu(pn, ins, outs);
    node.outputs.forEach((o, k) => { if (o) values.set(o, { ...outs[k], value: data[k] }); });
    // Intermediates are dropped after their last use; initializers stay (they are the graph's).
    for (const v of node.inputs) if (v && lastUse.get(v) === i && !graph.initializers.has(v)) values.delete(v);
  });
}

/** Per-channel mean and (unbiased) variance of an NCHW tensor, written into the BN's tensors. */
function setStatistics(x: ValueType, mean: Tensor, variance: Tensor): void {
  const [n, c] = x.shape as number[], data = x.value as Float32Array;
  const hw = (x.shape as number[]).slice(2).reduce((a, b) => a * b, 1), count = n * hw;
  const m = mean.data as Float32Array, v = variance.data as Float32Array;
  for (let ch = 0; ch < c; ch++) {
    let s = 0, sq = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * hw;
      for (let i = 0; i < hw; i++) { const e = data[base + i]; s += e; sq += e * e; }
    }
    const mu = s / count;
    m[ch] = mu;
    v[ch] = count > 1 ? Math.max(sq - count * mu * mu, 0) / (count - 1) : 0; // unbiased: few samples must not read low
  }
  // Few samples (deep maps of a small model) give noisy variances, and a channel whose variance
  // is underestimated is amplified for every other input: shrink each towards the layer's
  // average with the weight of PRIOR samples (negligible on large maps), and floor it.
  let avg = 0;
  for (let ch = 0; ch < c; ch++) avg += v[ch] / c;
  for (let ch = 0; ch < c; ch++) v[ch] = Math.max((count * v[ch] + PRIOR * avg) / (count + PRIOR), 1e-6);
}
