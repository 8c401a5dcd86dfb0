import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../tensor.js';
import { NetBuilder, checkBatch, checkPositiveInt } from './layers.js';
import { normal, uniform } from './weights.js';

/** DistilBERT's shape. The defaults are distilbert-base-uncased. */
export interface DistilbertConfig {
  layers?: number;
  hidden?: number;
  heads?: number;
  ffn?: number;
  vocab?: number;
  maxPositions?: number;
  /** Adds DistilBertForSequenceClassification's head: the graph outputs 'logits' [batch, labels]. */
  classifier?: { labels: number };
  /** Batch and sequence dims of the inputs: numbers or symbol names. Default 'batch', 'sequence'. */
  batch?: number | string;
  sequence?: number | string;
  /** LayerNormalization epsilon. Default 1e-12 (DistilBERT's). */
  epsilon?: number;
}

export interface DistilbertOptions extends DistilbertConfig {
  seed?: number;
}

export type ResolvedDistilbertConfig = Required<Omit<DistilbertConfig, 'classifier'>> & { classifier?: { labels: number } };

/** What a weight is, so a seeded provider knows how to initialize it. */
export type DistilbertWeightKind = 'embedding' | 'linear' | 'bias' | 'norm-scale' | 'norm-bias';

/**
 * One weight the graph needs, in the graph's layout: MatMul weights are [in, out] (named
 * `….weight.T`, the transpose of a PyTorch Linear's [out, in]); the classification head's
 * Gemm weights stay [out, in] (transB = 1).
 */
export interface DistilbertWeightSpec {
  name: string;
  shape: number[];
  kind: DistilbertWeightKind;
}

/** Supplies each weight; the builder checks nothing else, so providers validate (see hf-distilbert.ts). */
export type DistilbertWeights = (spec: DistilbertWeightSpec) => Tensor;

/** The largest finite float32: HF's masked_fill value (torch.finfo(float32).min, negated here). */
const FLOAT32_MAX = 3.4028234663852886e38;

export function resolveDistilbertConfig(c: DistilbertConfig, model = 'distilbert'): ResolvedDistilbertConfig {
  const pos = (name: keyof DistilbertConfig, def: number) => checkPositiveInt(model, name, c[name] ?? def);
  const r: ResolvedDistilbertConfig = {
    layers: pos('layers', 6), hidden: pos('hidden', 768), heads: pos('heads', 12), ffn: pos('ffn', 3072),
    vocab: pos('vocab', 30522), maxPositions: pos('maxPositions', 512),
    batch: checkBatch(model, c.batch, 'batch'), sequence: c.sequence ?? 'sequence', epsilon: c.epsilon ?? 1e-12,
  };
  if (r.hidden % r.heads) throw new RangeError(`${model}: hidden (${r.hidden}) must be divisible by heads (${r.heads})`);
  if (typeof r.sequence === 'number') {
    checkPositiveInt(model, 'sequence', r.sequence);
    if (r.sequence > r.maxPositions) throw new RangeError(`${model}: sequence ${r.sequence} is longer than maxPositions ${r.maxPositions}`);
  } else if (typeof r.sequence !== 'string' || !r.sequence) throw new RangeError(`${model}: option 'sequence' must be a positive integer or a symbol name, got ${String(r.sequence)}`);
  if (!(r.epsilon >= 0)) throw new RangeError(`${model}: option 'epsilon' must be >= 0, got ${r.epsilon}`);
  if (c.classifier !== undefined) r.classifier = { labels: checkPositiveInt(model, 'classifier.labels', c.classifier?.labels) };
  return r;
}

/** Every weight the graph for `c` needs, in build order. */
export function distilbertWeightSpecs(c: ResolvedDistilbertConfig): DistilbertWeightSpec[] {
  const { hidden: h, ffn, vocab, maxPositions, layers } = c;
  const specs: DistilbertWeightSpec[] = [
    { name: 'embeddings.word_embeddings.weight', shape: [vocab, h], kind: 'embedding' },
    { name: 'embeddings.position_embeddings.weight', shape: [maxPositions, h], kind: 'embedding' },
    { name: 'embeddings.LayerNorm.weight', shape: [h], kind: 'norm-scale' },
    { name: 'embeddings.LayerNorm.bias', shape: [h], kind: 'norm-bias' },
  ];
  const linear = (p: string, inF: number, outF: number) => specs.push(
    { name: `${p}.weight.T`, shape: [inF, outF], kind: 'linear' }, { name: `${p}.bias`, shape: [outF], kind: 'bias' });
  const norm = (p: string) => specs.push({ name: `${p}.weight`, shape: [h], kind: 'norm-scale' }, { name: `${p}.bias`, shape: [h], kind: 'norm-bias' });
  for (let i = 0; i < layers; i++) {
    const p = `transformer.layer.${i}`;
    for (const lin of ['q_lin', 'k_lin', 'v_lin', 'out_lin']) linear(`${p}.attention.${lin}`, h, h);
    norm(`${p}.sa_layer_norm`);
    linear(`${p}.ffn.lin1`, h, ffn);
    linear(`${p}.ffn.lin2`, ffn, h);
    norm(`${p}.output_layer_norm`);
  }
  if (c.classifier) {
    const n = c.classifier.labels;
    specs.push(
      { name: 'pre_classifier.weight', shape: [h, h], kind: 'linear' }, { name: 'pre_classifier.bias', shape: [h], kind: 'bias' },
      { name: 'classifier.weight', shape: [n, h], kind: 'linear' }, { name: 'classifier.bias', shape: [n], kind: 'bias' },
    );
  }
  return specs;
}

/** Seeded weights: embeddings normal(0, 0.5) (a LayerNorm follows), Linear std 1 / sqrt(fanIn), biases small, LayerNorm near identity. */
export function seededDistilbertWeights(seed: number): DistilbertWeights {
  if (!Number.isInteger(seed)) throw new RangeError(`distilbert: option 'seed' must be an integer, got ${String(seed)}`);
  return ({ name, shape, kind }) => {
    switch (kind) {
      case 'embedding': return normal(seed, name, shape, 0.5);
      // Fan-in: shape[0] of a MatMul weight [in, out], shape[1] of a head Gemm weight [out, in].
      case 'linear': return normal(seed, name, shape, 1 / Math.sqrt(name.endsWith('.T') ? shape[0] : shape[1]));
      case 'bias': return normal(seed, name, shape, 0.02);
      case 'norm-scale': return uniform(seed, name, shape, 0.8, 1.2);
      case 'norm-bias': return normal(seed, name, shape, 0.02);
    }
  };
}

/**
 * DistilBERT with seeded weights, in the form Hugging Face's ONNX export has: inputs
 * 'input_ids' and 'attention_mask' int64 [batch, sequence]; output 'last_hidden_state'
 * [batch, sequence, hidden], or 'logits' [batch, labels] with `classifier`.
 */
export function distilbert(opts: DistilbertOptions = {}): Graph {
  return buildDistilbert(resolveDistilbertConfig(opts), seededDistilbertWeights(opts.seed ?? 1));
}

/**
 * The graph, with weights from any provider (seeded or a checkpoint). Attention as exported:
 * q/k/v MatMul + Add, Reshape [0, 0, heads, dh] + Transpose, MatMul(q, kT) / sqrt(dh), padded
 * keys replaced by -FLT_MAX through Where(attention_mask == 0) (HF's masked_fill), Softmax,
 * MatMul with v, back to [0, 0, hidden]; GELU in its erf form x * (1 + erf(x / sqrt 2)) * 0.5.
 * Reshape targets copy batch and sequence with 0, so one graph serves every batch and sequence
 * length up to maxPositions; a longer sequence fails at run time in node 'embeddings.add'
 * (the position rows run out), as HF's position lookup does.
 */
export function buildDistilbert(c: ResolvedDistilbertConfig, weights: DistilbertWeights): Graph {
  const b = new GraphBuilder(c.classifier ? 'distilbert_sequence_classification' : 'distilbert');
  const net = new NetBuilder(b, 0);
  const specs = new Map(distilbertWeightSpecs(c).map((s) => [s.name, s]));
  const w = (name: string): Value => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`distilbert: internal error, no weight spec named '${name}'`);
    return b.constant(weights(spec), name);
  };
  const ln = (x: Value, p: string, name: string) => b.op('LayerNormalization', [x, w(`${p}.weight`), w(`${p}.bias`)], { axis: -1, epsilon: c.epsilon }, name);
  const linear = (x: Value, p: string) => b.op('Add', [b.op('MatMul', [x, w(`${p}.weight.T`)], {}, `${p}.matmul`), w(`${p}.bias`)], {}, p);

  const ids = b.input('input_ids', 'int64', [c.batch, c.sequence]);
  const mask = b.input('attention_mask', 'int64', [c.batch, c.sequence]);

  // Embeddings: word rows gathered by id, plus the first `sequence` rows of the position table.
  const words = b.op('Gather', [w('embeddings.word_embeddings.weight'), ids], { axis: 0 }, 'embeddings.word');
  const seqLen = b.op('Gather', [b.op('Shape', [ids], {}, 'embeddings.shape'), net.ints([1])], { axis: 0 }, 'embeddings.seq_len');
  const positions = b.op('Slice', [w('embeddings.position_embeddings.weight'), net.ints([0]), seqLen, net.ints([0])], {}, 'embeddings.position');
  let x = ln(b.op('Add', [words, positions], {}, 'embeddings.add'), 'embeddings.LayerNorm', 'embeddings.layernorm');

  // [batch, 1, 1, sequence]: true where a key is padding. Computed once, used by every layer.
  const padded = b.op('Unsqueeze', [b.op('Equal', [mask, net.constant('int64', [0], [])], {}, 'mask.equal'), net.ints([1, 2])], {}, 'mask.unsqueeze');
  const dh = c.hidden / c.heads;
  const split = net.ints([0, 0, c.heads, dh]), merge = net.ints([0, 0, c.hidden]);

  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.layer.${i}`, a = `${p}.attention`;
    const heads = (v: Value, n: string, perm: number[]) => b.op('Transpose', [b.op('Reshape', [v, split], {}, `${a}.${n}.reshape`)], { perm }, `${a}.${n}.transpose`);
    const q = heads(linear(x, `${a}.q_lin`), 'q', [0, 2, 1, 3]);
    const kT = heads(linear(x, `${a}.k_lin`), 'k', [0, 2, 3, 1]);
    const v = heads(linear(x, `${a}.v_lin`), 'v', [0, 2, 1, 3]);
    let scores = b.op('Div', [b.op('MatMul', [q, kT], {}, `${a}.scores`), net.scalar(Math.sqrt(dh))], {}, `${a}.scale`);
    scores = b.op('Where', [padded, net.scalar(-FLOAT32_MAX), scores], {}, `${a}.mask`);
    const probs = b.op('Softmax', [scores], { axis: -1 }, `${a}.softmax`);
    const ctx = b.op('Transpose', [b.op('MatMul', [probs, v], {}, `${a}.context`)], { perm: [0, 2, 1, 3] }, `${a}.context.transpose`);
    const attn = linear(b.op('Reshape', [ctx, merge], {}, `${a}.context.reshape`), `${a}.out_lin`);
    x = ln(b.op('Add', [attn, x], {}, `${p}.sa_residual`), `${p}.sa_layer_norm`, `${p}.sa_layernorm`);

    const h = linear(x, `${p}.ffn.lin1`);
    const erf = b.op('Erf', [b.op('Div', [h, net.scalar(Math.SQRT2)], {}, `${p}.ffn.gelu.div`)], {}, `${p}.ffn.gelu.erf`);
    const gelu = b.op('Mul', [b.op('Mul', [h, b.op('Add', [erf, net.scalar(1)], {}, `${p}.ffn.gelu.add`)], {}, `${p}.ffn.gelu.mul`), net.scalar(0.5)], {}, `${p}.ffn.gelu`);
    const out = linear(gelu, `${p}.ffn.lin2`);
    x = ln(b.op('Add', [out, x], {}, `${p}.ffn_residual`), `${p}.output_layer_norm`, `${p}.output_layernorm`);
  }

  if (!c.classifier) {
    b.output(x, 'last_hidden_state');
    return b.build();
  }
  // DistilBertForSequenceClassification: the [CLS] (first) token -> pre_classifier -> ReLU -> classifier.
  const cls = b.op('Gather', [x, net.constant('int64', [0], [])], { axis: 1 }, 'cls');
  const pre = b.op('Relu', [b.op('Gemm', [cls, w('pre_classifier.weight'), w('pre_classifier.bias')], { transB: 1 }, 'pre_classifier')], {}, 'pre_classifier.relu');
  b.output(b.op('Gemm', [pre, w('classifier.weight'), w('classifier.bias')], { transB: 1 }, 'classifier'), 'logits');
  return b.build();
}
