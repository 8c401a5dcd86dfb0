import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { prune } from '../../src/sparse/index.js';
import { channelSpaces } from '../../src/sparse/channel/spaces.js';
import { planChannels } from '../../src/sparse/channel/plan.js';
import type { ChannelPlan } from '../../src/sparse/channel/apply.js';
import { smallConvnet, transformerBlock } from '../e2e/graphs.js';
import { expectClose, randomFloats } from '../util/numerics.js';

/**
 * The masked original: the same graph with the pruned channels' columns of every consuming
 * layer zeroed, so those channels still flow but change nothing. Removing them must give the
 * same outputs (up to float32 summation order).
 */
function masked(g: Graph, plans: readonly ChannelPlan[]): Graph {
  const out = g.clone();
  for (const { space, keep } of plans) {
    const gone = [...Array(space.channels).keys()].filter((c) => !keep.includes(c));
    for (const sl of space.slices.filter((s) => s.role === 'consumer')) {
      const name = sl.node.inputs[sl.input], t = out.initializers.get(name) as Tensor, d = (t.data as Float32Array).slice();
      const inner = t.shape.slice(sl.axis + 1).reduce((a, b) => a * b, 1), dim = t.shape[sl.axis];
      for (let i = 0; i < d.length; i++) if (gone.includes(Math.floor(i / inner) % dim)) d[i] = 0;
      out.initializers.set(name, new Tensor('float32', t.shape, d));
    }
  }
  return out;
}

async function run(g: Graph, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const s = await InferenceSession.create(g);
  const out = await s.run(feeds);
  return out[s.outputNames[0]].data as Float32Array;
}

async function checkEquivalent(g: Graph, sparsity: number, feeds: Record<string, Tensor>, scope: 'layer' | 'global' = 'layer'): Promise<Graph> {
  const plans = planChannels(g, channelSpaces(g), sparsity, scope === 'global');
  const p = prune(g, { sparsity, pattern: 'channel', scope });
  expectClose(await run(p, feeds), await run(masked(g, plans), feeds), { graph: g.name, sparsity, scope }, { k: 64, atol: 1e-5, rtol: 1e-4 });
  return p;
}

const image = (n: number, res: number, seed = 5) => new Tensor('float32', [n, 3, res, res], randomFloats(n * 3 * res * res, seed, -1.7, 1.7));

describe('channel pruning', () => {
  it('small convnet: residual partners pruned together, depthwise group and BN shrink, outputs equal the masked original', async () => {
    const g = smallConvnet();
    const spaces = channelSpaces(g);
    // Stem conv + residual pointwise conv share one space (through the Add); the classifier's outputs are graph outputs.
    const valid = spaces.filter((s) => !s.invalid);
    expect(valid.map((s) => s.producers.map((p) => p.node.name).sort())).toEqual([[g.nodes.find((n) => n.op === 'Conv')!.name, g.nodes.filter((n) => n.op === 'Conv')[2].name].sort()]);
    expect(spaces.find((s) => s.invalid)?.invalid).toMatch(/graph output/);
    const p = await checkEquivalent(g, 0.5, { image: image(2, 17) });
    expect((p.initializers.get(p.nodes.find((n) => n.op === 'Conv')!.inputs[1]) as Tensor).shape).toEqual([4, 3, 3, 3]);
    const dw = p.nodes.filter((n) => n.op === 'Conv')[1];
    expect(dw.attrs.group).toBe(4);
    expect(p.parameterCount).toBeLessThan(g.parameterCount);
  });

  it('MobileNetV2: half of every prunable channel group goes, the graph gets smaller and stays exact', async () => {
    const g = models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 2 });
    const spaces = channelSpaces(g).filter((s) => !s.invalid);
    // Every expansion (hidden) group, the stem and each stage's trunk; only the classifier's output is a graph output.
    expect(spaces.length).toBe(channelSpaces(g).length - 1);
    const p = await checkEquivalent(g, 0.5, { input: image(1, 32) });
    expect(p.parameterCount / g.parameterCount).toBeLessThan(0.4);
    for (const n of p.nodes.filter((x) => x.op === 'Conv' && x.attrs.group !== 1)) {
      expect((p.initializers.get(n.inputs[1]) as Tensor).shape[0]).toBe(n.attrs.group);
    }
    await checkEquivalent(g, 0.3, { input: image(1, 32) }, 'global');
  });

  it('DistilBERT: FFN neurons are removed; attention, embeddings and LayerNorm-bound widths stay', async () => {
    const g = models.distilbert({ layers: 2, hidden: 16, heads: 2, ffn: 24, vocab: 40, maxPositions: 16, seed: 3 });
    const valid = channelSpaces(g).filter((s) => !s.invalid);
    expect(valid.map((s) => s.producers.map((p) => p.node.name))).toEqual([['transformer.layer.0.ffn.lin1.matmul'], ['transformer.layer.1.ffn.lin1.matmul']]);
    const ids = new Tensor('int64', [1, 5], [1n, 7n, 3n, 9n, 2n]), mask = new Tensor('int64', [1, 5], [1n, 1n, 1n, 1n, 0n]);
    const p = await checkEquivalent(g, 0.5, { input_ids: ids, attention_mask: mask });
    expect((p.initializers.get('transformer.layer.0.ffn.lin1.weight.T.pruned') as Tensor).shape).toEqual([16, 12]);
    expect((p.initializers.get('transformer.layer.0.ffn.lin2.weight.T.pruned') as Tensor).shape).toEqual([12, 16]);
    expect((p.initializers.get('transformer.layer.0.ffn.lin1.bias.pruned') as Tensor).shape).toEqual([12]);
  });

  it('a transformer block after fusion (FusedMatMul, Gelu) prunes its FFN the same way', async () => {
    const g = transformerBlock();
    const s = await InferenceSession.create(g);
    const feeds = { input_ids: new Tensor('int64', [1, 7], [1n, 2n, 3n, 4n, 5n, 6n, 7n]), attention_mask: new Tensor('int64', [1, 7], [1n, 1n, 1n, 1n, 1n, 1n, 0n]) };
    const fused = s.graph;
    expect(fused.nodes.some((n) => n.op === 'FusedMatMul')).toBe(true);
    const p = await checkEquivalent(fused, 0.25, feeds);
    expect(p.parameterCount).toBeLessThan(fused.parameterCount);
  });

  it('leaves a graph alone when nothing can be pruned, and keeps a channel per group at high sparsity', async () => {
    const g = smallConvnet();
    expect(prune(g, { sparsity: 0, pattern: 'channel' }).parameterCount).toBe(g.parameterCount);
    const p = await checkEquivalent(g, 0.99, { image: image(1, 17) });
    expect(p.nodes.filter((n) => n.op === 'Conv')[1].attrs.group).toBe(1);
  });
});
