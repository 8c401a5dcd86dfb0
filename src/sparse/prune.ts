import { Graph } from '../graph/graph.js';
import { Tensor } from '../tensor.js';
import { SparseError } from './errors.js';
import { checkBlock } from './formats/bsr.js';
import { prune2of4, pruneBlocks, pruneUnstructured, type LayerData } from './magnitude.js';
import { prunableLayers, type SkipOption } from './targets.js';
import { channelSpaces } from './channel/spaces.js';
import { planChannels } from './channel/plan.js';
import { applyChannelPlans } from './channel/apply.js';

export type PrunePattern = 'unstructured' | 'block' | 'channel' | '2:4';

export interface PruneOptions {
  /**
   * Fraction to remove, in [0, 1]: of the weights (unstructured), of the blocks (block), of the
   * channels (channel, below 1). '2:4' is 0.5 by definition (omit it or pass 0.5).
   */
  sparsity?: number;
  /** Default 'unstructured'. */
  pattern?: PrunePattern;
  /** 'layer' (default): every layer reaches the sparsity; 'global': one magnitude threshold over all of them. */
  scope?: 'layer' | 'global';
  /** Block shape for pattern 'block': [inputs, outputs], default [1, 4] (one K index by four output channels). */
  block?: [number, number];
  /**
   * Layers to leave dense: node or weight names (exact strings or RegExps), or a predicate over
   * the layer. With 'channel', a channel group is skipped when any layer producing it is.
   */
  skip?: SkipOption;
}

const PATTERNS: readonly PrunePattern[] = ['unstructured', 'block', 'channel', '2:4'];

/**
 * Magnitude pruning. Returns a new graph (the input is not changed) whose pruned weights are
 * still dense float32 tensors holding exact zeros, so it saves to ONNX and runs anywhere;
 * `sparsify()` (or InferenceSession, which sparsifies automatically) then runs the layers
 * where it pays on sparse kernels. 'channel' instead removes whole output channels / FFN
 * neurons and shrinks every layer that reads them: a smaller dense graph.
 *
 * Prunable layers: Conv with group 1, Gemm (B) and MatMul with a constant 2-D weight.
 * Depthwise convs, embeddings and norms are never pruned.
 */
export function prune(graph: Graph, opts: PruneOptions): Graph {
  if (!(graph instanceof Graph)) throw new SparseError('prune: the first argument must be a Graph');
  const o = checkOptions(opts);
  if (o.pattern === 'channel') {
    const spaces = channelSpaces(graph);
    return applyChannelPlans(graph, planChannels(graph, spaces, o.sparsity, o.scope === 'global', o.skip));
  }
  const out = graph.clone();
  const layers: LayerData[] = prunableLayers(graph, o.skip).map((layer) => {
    const t = out.initializers.get(layer.weight) as Tensor;
    return { layer, data: (t.data as Float32Array).slice() };
  });
  if (o.pattern === 'unstructured') pruneUnstructured(layers, o.sparsity, o.scope === 'global');
  else if (o.pattern === 'block') pruneBlocks(layers, o.sparsity, o.scope === 'global', o.block);
  else prune2of4(layers);
  for (const { layer, data } of layers) out.initializers.set(layer.weight, new Tensor('float32', layer.shape, data));
  return out;
}

interface CheckedOptions { sparsity: number; pattern: PrunePattern; scope: 'layer' | 'global'; block: [number, number]; skip?: SkipOption }

function checkOptions(opts: PruneOptions): CheckedOptions {
  if (typeof opts !== 'object' || opts === null) throw new SparseError('prune: options must be an object such as { sparsity: 0.9, pattern: \'unstructured\' }');
  const known = ['sparsity', 'pattern', 'scope', 'block', 'skip'], unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) throw new SparseError(`prune: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${known.join(', ')}`);
  const pattern = opts.pattern ?? 'unstructured';
  if (!PATTERNS.includes(pattern)) throw new SparseError(`prune: option 'pattern' must be one of ${PATTERNS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(pattern)}`);
  let sparsity = opts.sparsity;
  if (pattern === '2:4') {
    if (sparsity !== undefined && sparsity !== 0.5) throw new SparseError(`prune: pattern '2:4' keeps 2 of every 4 weights, so sparsity is 0.5; got ${sparsity}`);
    sparsity = 0.5;
  }
  if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity <= 1)) throw new SparseError(`prune: option 'sparsity' must be a number in [0, 1], got ${JSON.stringify(sparsity)}`);
  if (pattern === 'channel' && sparsity === 1) throw new SparseError(`prune: pattern 'channel' must keep a channel in every layer; sparsity must be below 1`);
  const scope = opts.scope ?? 'layer';
  if (scope !== 'layer' && scope !== 'global') throw new SparseError(`prune: option 'scope' must be 'layer' or 'global', got ${JSON.stringify(scope)}`);
  if (opts.block !== undefined && pattern !== 'block') throw new SparseError(`prune: option 'block' applies to pattern 'block' only (pattern is '${pattern}')`);
  const block = opts.block ?? [1, 4];
  checkBlock(block, 'prune: option \'block\'');
  const skip = opts.skip;
  if (skip !== undefined && typeof skip !== 'function' && !(Array.isArray(skip) && skip.every((s) => typeof s === 'string' || s instanceof RegExp))) {
    throw new SparseError('prune: option \'skip\' must be an array of node/weight names or RegExps, or a function of the layer');
  }
  return { sparsity, pattern, scope, block: [block[0], block[1]], skip };
}
