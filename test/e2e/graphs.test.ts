import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { evaluateGraph } from '../reference/graph.js';
import { expectClose, randomFloats } from '../util/numerics.js';
import { smallConvnet, transformerBlock } from './graphs.js';

describe('hand-built graphs run end to end and match a float64 evaluation', () => {
  it('small convnet: conv, depthwise conv, BN, ReLU6, residual add, pooling, Gemm', async () => {
    const g = smallConvnet();
    for (const optimize of [false, true]) {
      const s = await InferenceSession.create(g, { optimize });
      for (const batch of [1, 3]) {
        const image = new Tensor('float32', [batch, 3, 17, 17], randomFloats(batch * 3 * 17 * 17, batch));
        const out = await s.run({ image });
        const want = evaluateGraph(g, { image });
        expect(out.logits.shape).toEqual([batch, 10]);
        expectClose(out.logits.data as Float32Array, want.logits.data, { batch, optimize }, { k: 72, atol: 1e-5, rtol: 1e-5 });
      }
      const stats = s.planStats({ image: [1, 3, 17, 17] });
      expect(stats.arenaBytes).toBeLessThan(stats.naiveBytes);
    }
  });

  it('transformer encoder block: embedding Gather, LayerNorm, masked attention, GELU FFN', async () => {
    const g = transformerBlock();
    const ids = new Tensor('int64', [1, 7], [3, 14, 15, 9, 2, 6, 0]);
    const mask = new Tensor('int64', [1, 7], [1, 1, 1, 1, 1, 0, 0]);
    const want = evaluateGraph(g, { input_ids: ids, attention_mask: mask });
    for (const optimize of [false, true]) {
      const s = await InferenceSession.create(g, { optimize });
      const out = await s.run({ input_ids: ids, attention_mask: mask });
      expect(out.hidden.shape).toEqual([1, 7, 16]);
      expectClose(out.hidden.data as Float32Array, want.hidden.data, { optimize }, { k: 16, atol: 2e-5, rtol: 2e-5 });
      // Masked positions must not influence the others.
      const ids2 = new Tensor('int64', [1, 7], [3, 14, 15, 9, 2, 11, 19]);
      const out2 = await s.run({ input_ids: ids2, attention_mask: mask });
      expect(Array.from(out2.hidden.data as Float32Array).slice(0, 5 * 16)).toEqual(Array.from(out.hidden.data as Float32Array).slice(0, 5 * 16));
    }
  });

  it('the arena is smaller than one buffer per intermediate (figures quoted in the README)', async () => {
    const conv = await InferenceSession.create(smallConvnet());
    const block = await InferenceSession.create(transformerBlock(128, 64, 4, 100));
    const a = conv.planStats({ image: [1, 3, 17, 17] });
    const t = block.planStats({ input_ids: [1, 128], attention_mask: [1, 128] });
    console.log(`arena: convnet ${a.arenaBytes} B vs ${a.naiveBytes} B; transformer block S=128 ${t.arenaBytes} B vs ${t.naiveBytes} B`);
    expect(a.arenaBytes).toBeLessThan(a.naiveBytes);
    expect(t.arenaBytes).toBeLessThan(t.naiveBytes / 2);
  });
});
