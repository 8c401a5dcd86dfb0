import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor, type Value } from '../../src/index.js';
import { saveOnnx } from '../../src/onnx/index.js';
import { randomFloats } from '../util/numerics.js';

/**
 * A model laid out the way torch.onnx.export writes one: explicit BatchNormalization after a
 * Conv, LayerNorm decomposed into ReduceMean/Sub/Pow/Add/Sqrt/Div, GELU as erf arithmetic,
 * int64 token ids into a Gather, and a Shape->Gather->Unsqueeze->Concat->Reshape chain for a
 * dynamic batch. Written with the protobuf writer, loaded from bytes, run by both runtimes.
 */
function pytorchStyleBytes(): Uint8Array {
  let seed = 1;
  const w = (b: GraphBuilder, shape: number[], scale = 0.5) => b.constant(new Tensor('float32', shape, randomFloats(shape.reduce((x, y) => x * y, 1), seed++, -scale, scale)), 'onnx::w');
  const b = new GraphBuilder('torch-jit-export', 17);
  const image = b.input('pixel_values', 'float32', ['batch_size', 3, 8, 8]);
  const ids = b.input('input_ids', 'int64', ['batch_size', 6]);

  // Conv -> BatchNormalization -> Relu, flattened with a dynamic-batch Reshape chain.
  const bn = b.batchNorm(b.conv(image, w(b, [4, 3, 3, 3]), w(b, [4], 0.1), { pads: [1, 1, 1, 1] }), w(b, [4], 1), w(b, [4], 0.1), w(b, [4], 0.1),
    b.constant(new Tensor('float32', [4], [0.9, 1.1, 1.3, 0.7]), 'running_var'));
  const act = b.relu(bn);
  const flat = b.reshape(act, b.concat([b.unsqueeze(b.gather(b.shape(act), b.int64(0, []), 0), [0]), b.int64([-1])], 0)); // [batch, 256]
  const imgVec = b.matmul(flat, w(b, [256, 16], 0.1)); // [batch, 16]

  // Embedding of int64 ids + decomposed LayerNorm + erf GELU, then mean over tokens.
  const emb = b.gather(w(b, [30, 16], 1), ids, 0); // [batch, 6, 16]
  const mean = b.reduceMean(emb, [-1]);
  const d = b.sub(emb, mean);
  const variance = b.reduceMean(b.pow(d, b.float(2)), [-1]);
  const ln = b.add(b.mul(b.div(d, b.sqrt(b.add(variance, b.float(1e-5)))), w(b, [16], 1)), w(b, [16], 0.1));
  const h = b.add(b.matmul(ln, w(b, [16, 16])), w(b, [16], 0.1));
  const gelu = b.mul(b.mul(h, b.float(0.5)), b.add(b.erf(b.div(h, b.float(1.4142135381698608))), b.float(1)));
  const pooled = b.reduceMean(gelu, [1], 0); // [batch, 16]
  b.output(b.add(pooled, imgVec) as Value, 'logits');
  return saveOnnx(b.build());
}

describe('ONNX files laid out the way exporters write them', () => {
  it('load, get optimized, and match onnxruntime-node', async () => {
    const bytes = pytorchStyleBytes();
    const session = await InferenceSession.create(bytes);
    const ops = session.graph.nodes.map((n) => n.op);
    // The optimizer recognized what the exporter decomposed.
    expect(ops).toContain('LayerNormalization');
    expect(ops).toContain('FusedConv');
    expect(ops).not.toContain('BatchNormalization');
    expect(ops).not.toContain('Erf');
    const o = await ort.InferenceSession.create(bytes);
    for (const batch of [1, 3]) {
      const pixels = new Tensor('float32', [batch, 3, 8, 8], randomFloats(batch * 192, batch));
      const ids = new Tensor('int64', [batch, 6], Array.from({ length: batch * 6 }, (_, i) => (i * 7) % 30));
      const ours = await session.run({ pixel_values: pixels, input_ids: ids });
      const theirs = await o.run({ pixel_values: new ort.Tensor('float32', pixels.data as Float32Array, [batch, 3, 8, 8]), input_ids: new ort.Tensor('int64', ids.data as BigInt64Array, [batch, 6]) });
      const a = ours.logits.data as Float32Array, t = theirs.logits.data as Float32Array;
      expect(ours.logits.shape).toEqual([batch, 16]);
      let maxRel = 0;
      for (let i = 0; i < a.length; i++) maxRel = Math.max(maxRel, Math.abs(a[i] - t[i]) / Math.max(1, Math.abs(t[i])));
      expect(maxRel).toBeLessThanOrEqual(1e-4);
    }
    await o.release();
  });
});
