import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { models, CheckpointError } from '../../src/models/index.js';
import { f16ToF32, f32ToF16 } from '../../src/dtype.js';

const SMALL = { layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 16 } as const;

/**
 * The inverse of the mapping, written independently of hf-distilbert.ts: our graph's weights
 * renamed to Hugging Face's names, MatMul weights ([in, out], '.weight.T') transposed back to
 * PyTorch's [out, in]. The encoder carries the 'distilbert.' prefix as in
 * DistilBertForSequenceClassification checkpoints; the head does not.
 */
function toHuggingFace(g: Graph, prefix = 'distilbert.'): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, w] of g.initializers) {
    const t = w as Tensor<'float32'>;
    const head = name.startsWith('pre_classifier.') || name.startsWith('classifier.');
    if (name.endsWith('.weight.T')) {
      const [inF, outF] = t.shape, src = t.data, dst = new Float32Array(src.length);
      for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) dst[o * inF + i] = src[i * outF + o];
      out.set(`${prefix}${name.slice(0, -'.T'.length)}`, new Tensor('float32', [outF, inF], dst));
    } else out.set(head ? name : `${prefix}${name}`, t);
  }
  return out;
}

async function hidden(g: Graph): Promise<Float32Array> {
  const s = await InferenceSession.create(g);
  const ids = new Tensor('int64', [2, 5], [1n, 8n, 33n, 97n, 2n, 1n, 4n, 2n, 0n, 0n]);
  const mask = new Tensor('int64', [2, 5], [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
  const out = await s.run({ input_ids: ids, attention_mask: mask });
  s.dispose();
  return out[s.outputNames[0]].data as Float32Array;
}

describe('distilbertFromCheckpoint (Hugging Face names)', () => {
  const seeded = models.distilbert({ ...SMALL, seed: 3 });
  const withHead = models.distilbert({ ...SMALL, seed: 3, classifier: { labels: 2 } });

  it('round trip: seeded weights renamed to HF names build a graph with the same outputs, bit for bit', async () => {
    const hf = toHuggingFace(seeded);
    expect(hf.get('distilbert.transformer.layer.1.ffn.lin1.weight')!.shape).toEqual([64, 32]);
    const g = models.distilbertFromCheckpoint(hf, SMALL);
    expect([...g.initializers.keys()]).toEqual([...seeded.initializers.keys()]);
    expect(await hidden(g)).toEqual(await hidden(seeded));
  });

  it('with the classification head, a plain object, and names without the distilbert. prefix', async () => {
    const hf = Object.fromEntries(toHuggingFace(withHead, ''));
    expect(Object.keys(hf)).toContain('pre_classifier.weight');
    const g = models.distilbertFromCheckpoint(hf, { ...SMALL, classifier: { labels: 2 } });
    expect(g.outputs[0]).toEqual({ name: 'logits', dtype: 'float32', shape: ['batch', 2] });
    expect(await hidden(g)).toEqual(await hidden(withHead));
  });

  it('ignores tensors the graph does not use (MLM head, position_ids buffer)', () => {
    const hf = toHuggingFace(seeded);
    hf.set('vocab_projector.weight', new Tensor('float32', [100, 32]));
    hf.set('distilbert.embeddings.position_ids', new Tensor('int64', [1, 16]));
    expect(models.distilbertFromCheckpoint(hf, SMALL).parameterCount).toBe(seeded.parameterCount);
  });

  it('widens float16 checkpoints to float32', async () => {
    const hf = new Map([...toHuggingFace(seeded)].map(([k, t]) => [k, new Tensor('float16', t.shape, Uint16Array.from(t.data as Float32Array, f32ToF16))]));
    const g = models.distilbertFromCheckpoint(hf, SMALL);
    const word = (g.initializers.get('embeddings.word_embeddings.weight') as Tensor).data as Float32Array;
    const half = hf.get('distilbert.embeddings.word_embeddings.weight')!.data as Uint16Array;
    expect(Array.from(word)).toEqual(Array.from(half, f16ToF32));
    const q = (g.initializers.get('transformer.layer.0.attention.q_lin.weight.T') as Tensor).data as Float32Array;
    const qHf = hf.get('distilbert.transformer.layer.0.attention.q_lin.weight')!.data as Uint16Array;
    expect(q[1 * 32 + 2]).toBe(f16ToF32(qHf[2 * 32 + 1])); // [in=1, out=2] is HF's [out=2, in=1]
    expect((await hidden(g)).every(Number.isFinite)).toBe(true);
  });

  it('a missing tensor: error names it, with the shape expected', () => {
    const hf = toHuggingFace(seeded);
    hf.delete('distilbert.transformer.layer.1.ffn.lin1.weight');
    expect(() => models.distilbertFromCheckpoint(hf, SMALL)).toThrow(CheckpointError);
    expect(() => models.distilbertFromCheckpoint(hf, SMALL)).toThrow(
      /missing tensor 'distilbert\.transformer\.layer\.1\.ffn\.lin1\.weight' \(or 'transformer\.layer\.1\.ffn\.lin1\.weight'\), expected float32 \[64, 32\]/);
  });

  it('a wrong shape: error names the tensor, the expected and the actual shape; all problems at once', () => {
    const hf = toHuggingFace(seeded);
    hf.set('distilbert.transformer.layer.0.attention.k_lin.weight', new Tensor('float32', [32, 16]));
    hf.set('distilbert.embeddings.LayerNorm.bias', new Tensor('int32', [32]));
    hf.delete('distilbert.transformer.layer.1.output_layer_norm.weight');
    let message = '';
    try { models.distilbertFromCheckpoint(hf, SMALL); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/3 problems/);
    expect(message).toMatch(/tensor 'distilbert\.transformer\.layer\.0\.attention\.k_lin\.weight' has shape \[32, 16\], expected \[32, 32\]/);
    expect(message).toMatch(/tensor 'distilbert\.embeddings\.LayerNorm\.bias' has dtype int32, expected float32 or float16/);
    expect(message).toMatch(/missing tensor 'distilbert\.transformer\.layer\.1\.output_layer_norm\.weight'/);
    expect(message).toMatch(/config \(layers 2, hidden 32, heads 4, ffn 64, vocab 100, maxPositions 16\)/);
  });

  it('a config that disagrees with the checkpoint is reported as shape problems', () => {
    expect(() => models.distilbertFromCheckpoint(toHuggingFace(seeded), { ...SMALL, vocab: 30522 }))
      .toThrow(/'distilbert\.embeddings\.word_embeddings\.weight' has shape \[100, 32\], expected \[30522, 32\]/);
    expect(() => models.distilbertFromCheckpoint(toHuggingFace(seeded), { ...SMALL, layers: 3 }))
      .toThrow(/missing tensor 'distilbert\.transformer\.layer\.2\.attention\.q_lin\.weight'/);
  });

  it('reads the graph config from a Hugging Face config.json', () => {
    expect(models.distilbertConfigFromHf({
      dim: 768, n_layers: 6, n_heads: 12, hidden_dim: 3072, vocab_size: 30522, max_position_embeddings: 512,
      architectures: ['DistilBertForSequenceClassification'], id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' },
    })).toEqual({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, classifier: { labels: 2 } });
  });
});
