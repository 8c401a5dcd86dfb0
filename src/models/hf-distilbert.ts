/**
 * Hugging Face DistilBERT checkpoints (DistilBertModel / DistilBertForSequenceClassification,
 * e.g. a model.safetensors read with loadSafetensors) -> a Tessera graph.
 *
 * Tensor mapping ({i} = layer; HF names may carry a 'distilbert.' prefix or not, both are
 * accepted; h = hidden, f = ffn, n = labels):
 *
 * | Hugging Face tensor                                  | HF shape  | graph initializer                            | transform  |
 * |------------------------------------------------------|-----------|----------------------------------------------|------------|
 * | embeddings.word_embeddings.weight                    | [vocab,h] | embeddings.word_embeddings.weight            | as is      |
 * | embeddings.position_embeddings.weight                | [maxPos,h]| embeddings.position_embeddings.weight        | as is      |
 * | embeddings.LayerNorm.weight / .bias                  | [h]       | embeddings.LayerNorm.weight / .bias          | as is      |
 * | transformer.layer.{i}.attention.q_lin.weight         | [h, h]    | transformer.layer.{i}.attention.q_lin.weight.T | transposed |
 * |   (likewise k_lin, v_lin, out_lin)                   |           |                                              |            |
 * | transformer.layer.{i}.attention.{q,k,v,out}_lin.bias | [h]       | same name                                    | as is      |
 * | transformer.layer.{i}.sa_layer_norm.weight / .bias   | [h]       | same name                                    | as is      |
 * | transformer.layer.{i}.ffn.lin1.weight                | [f, h]    | transformer.layer.{i}.ffn.lin1.weight.T [h, f] | transposed |
 * | transformer.layer.{i}.ffn.lin1.bias                  | [f]       | same name                                    | as is      |
 * | transformer.layer.{i}.ffn.lin2.weight                | [h, f]    | transformer.layer.{i}.ffn.lin2.weight.T [f, h] | transposed |
 * | transformer.layer.{i}.ffn.lin2.bias                  | [h]       | same name                                    | as is      |
 * | transformer.layer.{i}.output_layer_norm.weight/.bias | [h]       | same name                                    | as is      |
 * | pre_classifier.weight / .bias (with classifier)      | [h,h]/[h] | same name (Gemm transB = 1)                  | as is      |
 * | classifier.weight / .bias (with classifier)          | [n,h]/[n] | same name (Gemm transB = 1)                  | as is      |
 *
 * PyTorch Linear weights are [out, in]; MatMul on 3-D activations needs [in, out], hence the
 * transposes (the graph names them `….weight.T`). The head runs on 2-D [batch, h] rows, where
 * Gemm with transB takes HF's layout directly. Other tensors (the MLM head's vocab_*,
 * the position_ids buffer) are ignored. float16 tensors are widened to float32.
 */
import { Tensor } from '../tensor.js';
import { f16ToF32 } from '../dtype.js';
import type { Graph } from '../graph/graph.js';
import {
  buildDistilbert, distilbertWeightSpecs, resolveDistilbertConfig,
  type DistilbertConfig, type DistilbertWeightSpec,
} from './distilbert.js';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const FN = 'distilbertFromCheckpoint';

/** The Hugging Face name of a graph weight (without the 'distilbert.' prefix) and whether it is transposed. */
export function hfDistilbertName(graphName: string): { name: string; transpose: boolean } {
  return graphName.endsWith('.T') ? { name: graphName.slice(0, -2), transpose: true } : { name: graphName, transpose: false };
}

/**
 * Builds a DistilBERT graph from Hugging Face tensors. Every tensor the config needs is looked
 * up and checked before anything is built; all missing or mis-shaped tensors are reported in
 * one CheckpointError naming each tensor with its expected and actual shape.
 */
export function distilbertFromCheckpoint(tensors: Map<string, Tensor> | Record<string, Tensor>, config: DistilbertConfig): Graph {
  if (typeof tensors !== 'object' || tensors === null) throw new CheckpointError(`${FN}: tensors must be a Map or an object of Tensors by name, got ${String(tensors)}`);
  const get = tensors instanceof Map ? (n: string) => tensors.get(n) : (n: string) => (Object.prototype.hasOwnProperty.call(tensors, n) ? tensors[n] : undefined);
  const c = resolveDistilbertConfig(config, FN);
  const problems: string[] = [];
  const found = new Map<string, Tensor<'float32'>>();
  for (const spec of distilbertWeightSpecs(c)) {
    const t = lookup(spec, get, problems);
    if (t) found.set(spec.name, t);
  }
  if (problems.length) {
    const cfg = `layers ${c.layers}, hidden ${c.hidden}, heads ${c.heads}, ffn ${c.ffn}, vocab ${c.vocab}, maxPositions ${c.maxPositions}${c.classifier ? `, labels ${c.classifier.labels}` : ''}`;
    throw new CheckpointError(`${FN}: ${problems.length} problem${problems.length > 1 ? 's' : ''} with the checkpoint for config (${cfg}):\n  ${problems.join('\n  ')}`);
  }
  return buildDistilbert(c, (spec) => found.get(spec.name)!);
}

function lookup(spec: DistilbertWeightSpec, get: (n: string) => Tensor | undefined, problems: string[]): Tensor<'float32'> | undefined {
  const { name, transpose } = hfDistilbertName(spec.name);
  const candidates = [`distilbert.${name}`, name];
  const key = candidates.find((n) => get(n) !== undefined);
  const expected = transpose ? [spec.shape[1], spec.shape[0]] : spec.shape;
  if (key === undefined) {
    problems.push(`missing tensor '${candidates[0]}' (or '${candidates[1]}'), expected float32 [${expected.join(', ')}]`);
    return undefined;
  }
  const t = get(key);
  if (!(t instanceof Tensor)) {
    problems.push(`tensor '${key}' is not a Tensor (got ${typeof t})`);
    return undefined;
  }
  if (t.dtype !== 'float32' && t.dtype !== 'float16') {
    problems.push(`tensor '${key}' has dtype ${t.dtype}, expected float32 or float16`);
    return undefined;
  }
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    problems.push(`tensor '${key}' has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`);
    return undefined;
  }
  const data = t.dtype === 'float16' ? Float32Array.from(t.data as Uint16Array, f16ToF32) : (t.data as Float32Array);
  if (!transpose) return t.dtype === 'float32' ? (t as Tensor<'float32'>) : new Tensor('float32', spec.shape, data);
  const [rows, cols] = expected, out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = data[r * cols + k];
  return new Tensor('float32', spec.shape, out);
}

/** A Hugging Face DistilBERT config.json (the fields the graph needs). */
export interface HfDistilbertConfigJson {
  dim?: number;
  n_layers?: number;
  n_heads?: number;
  hidden_dim?: number;
  vocab_size?: number;
  max_position_embeddings?: number;
  architectures?: string[];
  id2label?: Record<string, string>;
  num_labels?: number;
}

/** DistilbertConfig from a parsed config.json; a ForSequenceClassification architecture adds the head. */
export function distilbertConfigFromHf(json: HfDistilbertConfigJson): DistilbertConfig {
  const c: DistilbertConfig = {
    layers: json.n_layers, hidden: json.dim, heads: json.n_heads, ffn: json.hidden_dim,
    vocab: json.vocab_size, maxPositions: json.max_position_embeddings,
  };
  if (json.architectures?.some((a) => a.endsWith('ForSequenceClassification'))) {
    c.classifier = { labels: json.num_labels ?? (json.id2label ? Object.keys(json.id2label).length : 2) };
  }
  return c;
}
