import { Graph, isPacked, type Initializer, type Node, type PackedWeight } from '../graph/graph.js';
import { analyze } from '../graph/analyze.js';
import { inferTypes } from '../graph/infer.js';
import { optimize, PASS_NAMES } from '../graph/passes/index.js';
import { evaluateOnCpu } from '../runtime/cpu/evaluate.js';
import { Tensor } from '../tensor.js';
import { QuantizeError } from './errors.js';
import { quantizeInt8Weight, type Int8Weight } from './formats/int8.js';
import { INT4_GROUP_SIZES, quantizeInt4Weight, type Int4GroupSize, type Int4Weight } from './formats/int4.js';
import { match, type Candidate } from './match.js';
import { biasShifts, inputMeans, type CorrectionTarget } from './bias-correction.js';
import { gptqWeights } from './gptq.js';
import { randomFeeds } from './report.js';

export interface QuantizeOptions {
  /** Weight format: 'int8' (per output channel) or 'int4' (group-wise, see groupSize). */
  weights: 'int8' | 'int4';
  /** int4 only: elements per scale group, 32 (default), 64 or 128. */
  groupSize?: Int4GroupSize;
  /**
   * 'int8-dynamic' quantizes each row of a layer's input to int8 at run time and accumulates
   * in integers; 'float32' keeps float inputs (weight-only quantization); 'auto' (the default)
   * picks what measured faster on V8 (bench/quant.ts): int8 inputs for MatMul/Gemm (about 2x
   * FP32 at DistilBERT's shapes), float inputs for convolutions (whose short reductions do not
   * repay quantizing every receptive field; depthwise convs always compute in float).
   */
  activations?: 'auto' | 'float32' | 'int8-dynamic';
  /** Layers for which this returns true stay float (called with nodes of the optimized graph). */
  skip?: (node: Node) => boolean;
  /** Keep the first convolution in float (it sees raw pixels). Default false. */
  keepFirstConv?: boolean;
  /** Keep the last weight layer (usually the classifier) in float. Default false. */
  keepClassifier?: boolean;
  /**
   * Keep the first n weight layers (graph order; embedding Gathers not counted) in float. Errors
   * of early layers pass through everything after them: on the seeded MobileNetV2 1.0/224 the
   * stem's 6 convs (0.2% of the weights) cause ~70% of the int8 output error. Default 0.
   */
  keepFirstLayers?: number;
  /** Quantize embedding tables read by Gather (axis 0, per row). Default true. */
  embeddings?: boolean;
  /** Run the graph optimizations first (fold BatchNorm, fuse bias and activations). Default true. */
  optimize?: boolean;
  /**
   * Quantize MatMul/Gemm/Conv weights (group-1 convs) with GPTQ instead of rounding to nearest:
   * each rounding error is compensated on the weights not yet quantized, using the layer's input
   * statistics from calibration inputs (see gptq.ts). Slower (K^3 per layer, so wide layers
   * such as DistilBERT's K = 3072 dominate). Lowers output error, most for int4; on the seeded
   * test models only a little (2-layer DistilBERT int4-g32: cosine 0.9881 -> 0.9901). Default off.
   */
  gptq?: boolean;
  /**
   * Subtract the mean output shift that weight rounding causes from each layer's bias, measured
   * on calibration inputs (see bias-correction.ts). Residual stacks add these shifts up layer
   * by layer: DistilBERT-base int4-g32 hidden-state cosine goes from 0.975 to 0.992 with it.
   * Costs one float run per calibration input. Default off.
   */
  biasCorrection?: boolean;
  /**
   * Inputs for gptq and biasCorrection: `feeds` you give, else `samples` random ones (default 8)
   * with symbolic sequence dims set to `sequence` (default 64; see randomFeeds). GPTQ needs more
   * calibration rows than a layer has inputs (K) to estimate its input statistics.
   */
  calibration?: { samples?: number; sequence?: number; feeds?: Record<string, Tensor>[] };
}

/** One weight layer of the quantized graph: what it became, and why when it stayed float. */
export interface QuantizedLayer {
  node: string;
  op: string;
  /** The float initializer it read. */
  weight: string;
  /** The packed initializer that replaced it (absent when float). */
  packed?: string;
  format: 'int8' | 'int4' | 'float';
  shape: number[];
  /** Why the layer stayed float or fell back from int4 to int8. */
  note?: string;
  /** Weight NMSE of the packed weight: sum (W - deq(q(W)))^2 / sum W^2 (absent when float). */
  nmse?: number;
  /** Bytes of the weight before (float32) and after (packed; 0 when shared with an earlier layer). */
  bytesBefore: number;
  bytesAfter: number;
}

export interface QuantizeResult { graph: Graph; layers: QuantizedLayer[] }

/** Ops that mean a graph is quantized already. */
const QUANTIZED_OPS = new Set(['QMatMul', 'QConv', 'QGather', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear',
  'MatMulInteger', 'ConvInteger', 'QLinearMatMul', 'QLinearConv', 'MatMulNBits']);

/**
 * Quantize a graph's weights: MatMul, Gemm and Conv (and their fused forms) become QMatMul /
 * QConv with packed int8 or int4 weights, embedding Gathers become QGather. Returns a new graph;
 * the input is not changed. See src/quant/formats for the byte layouts.
 * @throws QuantizeError for bad options, non-finite weights, or a graph that is already quantized
 */
export function quantize(graph: Graph, options: QuantizeOptions): Graph {
  return quantizeWithReport(graph, options).graph;
}

/** quantize(), also returning what happened to each weight layer. */
export function quantizeWithReport(graph: Graph, options: QuantizeOptions): QuantizeResult {
  const opts = checkOptions(options);
  if (!(graph instanceof Graph)) throw new QuantizeError('quantize takes a Graph');
  rejectQuantized(graph);
  // Sparse rewrites would hide layers from the matcher: dense kernels are what gets quantized.
  const disable = PASS_NAMES.filter((p) => p === 'sparsify');
  const g = opts.optimize ? optimize(graph, { evaluate: evaluateOnCpu, passes: { disable } }) : graph.clone();
  const analysis = analyze(g), types = inferTypes(g, analysis);
  const layers: QuantizedLayer[] = [];
  const candidates: Candidate[] = [];
  for (const { node } of analysis.order) {
    const m = match(g, node, types);
    if (!m) continue;
    if ('reason' in m) {
      const w = node.inputs[node.op === 'Gather' ? 0 : 1];
      layers.push({ node: node.name, op: node.op, weight: w, format: 'float', shape: [...(g.initializers.get(w)?.shape ?? [])], note: m.reason, bytesBefore: 0, bytesAfter: 0 });
      continue;
    }
    if (m.candidate.kind === 'gather' && !opts.embeddings) continue;
    candidates.push(m.candidate);
  }
  const keep = new Map<Candidate, string>();
  const firstConv = candidates.find((c) => c.kind === 'conv');
  if (opts.keepFirstConv && firstConv) keep.set(firstConv, 'keepFirstConv');
  for (const c of candidates.filter((x) => x.kind !== 'gather').slice(0, opts.keepFirstLayers)) keep.set(c, `keepFirstLayers ${opts.keepFirstLayers}`);
  const last = [...candidates].reverse().find((c) => c.kind !== 'gather');
  if (opts.keepClassifier && last) keep.set(last, 'keepClassifier');
  for (const c of candidates) if (opts.skip?.(c.node)) keep.set(c, 'skip() returned true');

  const feeds = opts.gptq || opts.biasCorrection ? calibrationFeeds(g, opts.calibration) : [];
  const gptq = opts.gptq ? gptqWeights(g, candidates.filter((c) => !keep.has(c) && c.kind !== 'gather' && !(c.kind === 'conv' && ((c.node.attrs.group as number | undefined) ?? 1) !== 1))
    .map((c) => ({ node: c.node, kind: c.kind as 'matmul' | 'conv', dense: c.dense(), axis: c.axis })), feeds, opts.weights, opts.groupSize) : new Map<Node, Int8Weight | Int4Weight>();
  const inits = new Map<string, Initializer>(g.initializers);
  const names = new Set<string>([...inits.keys(), ...g.inputs.map((v) => v.name), ...g.nodes.flatMap((n) => [n.name, ...n.outputs])]);
  const fresh = (stem: string) => { let n = stem; for (let i = 1; names.has(n); i++) n = `${stem}_${i}`; names.add(n); return n; };
  const addInit = (stem: string, t: Tensor) => { const n = fresh(stem); inits.set(n, t); return n; };
  const packedByKey = new Map<string, { name: string; w: PackedWeight; note?: string; nmse: number }>();
  const replaced = new Map<Node, Node>();
  const targets: CorrectionTarget[] = [];

  for (const c of candidates) {
    const shape = [...(g.initializers.get(c.weight)!.shape)];
    const kept = keep.get(c);
    if (kept) { layers.push({ node: c.node.name, op: c.node.op, weight: c.weight, format: 'float', shape, note: kept, bytesBefore: 0, bytesAfter: 0 }); continue; }
    let entry = packedByKey.get(c.key);
    if (!entry) {
      const dense = c.dense(), what = `weight '${c.weight}' of node '${c.node.name}' (${c.node.op})`;
      const depth = dense.size / Math.max(1, dense.shape[c.axis]);
      // A group larger than the row would be mostly padding: such rows (depthwise and first
      // convs) are smaller, and more accurate, as int8.
      const asInt4 = opts.weights === 'int4' && depth >= opts.groupSize;
      const w = gptq.get(c.node) ?? (asInt4 ? quantizeInt4Weight(dense, c.axis, opts.groupSize, what) : quantizeInt8Weight(dense, c.axis, what));
      const note = opts.weights === 'int4' && !asInt4 ? `K = ${depth} < group ${opts.groupSize}: stored int8` : undefined;
      entry = { name: fresh(`${c.weight}.${w.format}`), w, note, nmse: nmse(w.dequantize().data, dense.data as Float32Array) };
      inits.set(entry.name, w);
      packedByKey.set(c.key, entry);
      layers.push({ node: c.node.name, op: c.node.op, weight: c.weight, packed: entry.name, format: w.format, shape, nmse: entry.nmse, bytesBefore: dense.size * 4, bytesAfter: w.byteLength, ...(note ? { note } : {}) });
    } else {
      layers.push({ node: c.node.name, op: c.node.op, weight: c.weight, packed: entry.name, format: entry.w.format as 'int8' | 'int4', shape, nmse: entry.nmse, bytesBefore: 0, bytesAfter: 0, note: `shares '${entry.name}'` });
    }
    const inputQuant = opts.activations === 'int8-dynamic' || (opts.activations === 'auto' && c.kind === 'matmul') ? 'int8' : 'none';
    replaced.set(c.node, c.build(entry.name, inputQuant, addInit));
    if (opts.biasCorrection && c.kind !== 'gather') targets.push({ node: c.node, kind: c.kind, dense: c.dense(), packed: entry.w });
  }

  if (opts.biasCorrection && targets.length) correctBiases(g, targets, replaced, inits, addInit, feeds);
  const out = assemble(g, replaced, inits, { ...g.metadata, 'tessera.quantization': describe(opts) });
  analyze(out); // the rewrite must leave a valid graph; fail here, not in a session
  return { graph: out, layers };
}

function calibrationFeeds(g: Graph, cfg: QuantizeOptions['calibration']): Record<string, Tensor>[] {
  const feeds = cfg?.feeds ?? Array.from({ length: cfg?.samples ?? 8 }, (_, i) => randomFeeds(g, 1000 + i, { sequence: cfg?.sequence ?? 64 }));
  if (!feeds.length) throw new QuantizeError(`options 'gptq' and 'biasCorrection' need at least one calibration sample`);
  return feeds;
}

function correctBiases(
  g: Graph, targets: CorrectionTarget[], replaced: Map<Node, Node>, inits: Map<string, Initializer>,
  addInit: (stem: string, t: Tensor) => string, feeds: Record<string, Tensor>[],
): void {
  // One shot from the float graph's means. Re-measuring the means on the corrected quantized
  // graph and re-solving every bias at once (Wq E[xq] - W E[x]) was tried and diverges on deep
  // stacks: DistilBERT int4-g32, 6 layers at hidden 128, cosine 0.987 one shot, then 0.983,
  // 0.924, 0.739 after 1, 2, 3 such passes (every layer corrects the same drift).
  const shifts = biasShifts(targets, inputMeans(g, targets, feeds));
  for (const t of targets) {
    const q = replaced.get(t.node)!, shift = shifts.get(t.node)!;
    const old = q.inputs[2] ? inits.get(q.inputs[2]) : undefined;
    if (q.inputs[2] && (!old || isPacked(old) || old.dtype !== 'float32')) continue; // a computed bias: leave it
    const base = old ? (old as Tensor).data as Float32Array : new Float32Array(shift.length);
    const bias = Float32Array.from(shift, (d, i) => base[i] - d);
    const inputs = q.inputs.slice(0, 2);
    inputs[2] = addInit(`${q.name}_bias_corrected`, new Tensor('float32', [shift.length], bias));
    replaced.set(t.node, { ...q, inputs });
  }
}

/** g with its nodes replaced, reading `inits`; unused initializers dropped. */
function assemble(g: Graph, replaced: ReadonlyMap<Node, Node>, inits: ReadonlyMap<string, Initializer>, metadata = g.metadata): Graph {
  const nodes = g.nodes.map((n) => replaced.get(n) ?? n);
  const used = new Set(nodes.flatMap((n) => n.inputs).concat(g.outputs.map((o) => o.name)));
  const initializers = new Map([...inits].filter(([name]) => used.has(name)));
  return new Graph({ name: g.name, inputs: g.inputs, outputs: g.outputs, nodes, initializers, opset: g.opset, metadata });
}

type Checked = Required<Omit<QuantizeOptions, 'skip' | 'groupSize' | 'calibration'>> & {
  groupSize: Int4GroupSize; skip?: (node: Node) => boolean; calibration: QuantizeOptions['calibration'];
};

function checkOptions(o: QuantizeOptions): Checked {
  if (typeof o !== 'object' || o === null) throw new QuantizeError(`quantize options must be an object like { weights: 'int8' }, got ${String(o)}`);
  if (o.weights !== 'int8' && o.weights !== 'int4') throw new QuantizeError(`option 'weights' must be 'int8' or 'int4', got ${JSON.stringify(o.weights)}`);
  if (o.groupSize !== undefined) {
    if (o.weights !== 'int4') throw new QuantizeError(`option 'groupSize' applies to int4 weights only (int8 is per channel), got groupSize ${o.groupSize} with weights 'int8'`);
    if (!(INT4_GROUP_SIZES as readonly number[]).includes(o.groupSize)) throw new QuantizeError(`option 'groupSize' must be one of ${INT4_GROUP_SIZES.join(', ')}, got ${JSON.stringify(o.groupSize)}`);
  }
  const activations = o.activations ?? 'auto';
  if (activations !== 'auto' && activations !== 'float32' && activations !== 'int8-dynamic') throw new QuantizeError(`option 'activations' must be 'auto', 'float32' or 'int8-dynamic', got ${JSON.stringify(o.activations)}`);
  if (o.keepFirstLayers !== undefined && !(Number.isInteger(o.keepFirstLayers) && o.keepFirstLayers >= 0)) throw new QuantizeError(`option 'keepFirstLayers' must be a whole number >= 0, got ${JSON.stringify(o.keepFirstLayers)}`);
  if (o.skip !== undefined && typeof o.skip !== 'function') throw new QuantizeError(`option 'skip' must be a function (node) => boolean, got ${typeof o.skip}`);
  const known = new Set(['weights', 'groupSize', 'activations', 'skip', 'keepFirstConv', 'keepClassifier', 'keepFirstLayers', 'embeddings', 'optimize', 'gptq', 'biasCorrection', 'calibration']);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length) throw new QuantizeError(`unknown quantize option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${[...known].join(', ')}`);
  return {
    weights: o.weights, groupSize: o.groupSize ?? 32, activations, skip: o.skip,
    keepFirstConv: o.keepFirstConv ?? false, keepClassifier: o.keepClassifier ?? false, keepFirstLayers: o.keepFirstLayers ?? 0,
    embeddings: o.embeddings ?? true, optimize: o.optimize ?? true, gptq: o.gptq ?? false, biasCorrection: o.biasCorrection ?? false,
    calibration: o.calibration,
  };
}

function rejectQuantized(g: Graph): void {
  for (const [name, w] of g.initializers) {
    if (isPacked(w)) throw new QuantizeError(`the graph is already quantized: initializer '${name}' is a packed ${w.format} weight; quantize the float model instead`);
  }
  const n = g.nodes.find((x) => QUANTIZED_OPS.has(x.op));
  if (n) throw new QuantizeError(`the graph is already quantized: node '${n.name}' is ${n.op}; quantize the float model instead`);
}

function nmse(a: Float32Array, b: Float32Array): number {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) { const d = a[i] - b[i]; e += d * d; s += b[i] * b[i]; }
  return s === 0 ? (e === 0 ? 0 : Infinity) : e / s;
}

function describe(o: Checked): string {
  const extra = `${o.gptq ? ', GPTQ' : ''}${o.biasCorrection ? ', bias correction' : ''}${o.keepFirstLayers ? `, first ${o.keepFirstLayers} layers float` : ''}`;
  const acts = o.activations === 'auto' ? 'int8-dynamic for MatMul/Gemm, float32 for Conv' : o.activations;
  return (o.weights === 'int4' ? `int4 group ${o.groupSize}, activations ${acts}` : `int8 per channel, activations ${acts}`) + extra;
}
