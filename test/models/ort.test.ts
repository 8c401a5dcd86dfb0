import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { saveOnnx } from '../../src/onnx/index.js';
import { models } from '../../src/models/index.js';
import { expectClose, randomFloats } from '../util/numerics.js';

/**
 * The builders' graphs are standard ONNX: saved, onnxruntime-node loads and runs them, and its
 * outputs agree with Tessera's on the same graph (an independent check of both).
 */
async function compare(g: Graph, feeds: Record<string, Tensor>, tol: { atol: number; rtol: number }): Promise<void> {
  const session = await InferenceSession.create(g);
  const ours = await session.run(feeds);
  session.dispose();
  const o = await ort.InferenceSession.create(saveOnnx(g));
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
  const theirs = await o.run(ortFeeds);
  await o.release();
  for (const name of session.outputNames) {
    expect(ours[name].shape).toEqual(theirs[name].dims);
    expectClose(ours[name].data as Float32Array, theirs[name].data as Float32Array, { output: name, graph: g.name }, tol);
  }
}

const image = (res: number) => ({ input: new Tensor('float32', [2, 3, res, res], randomFloats(2 * 3 * res * res, 11, -Math.sqrt(3), Math.sqrt(3))) });

describe('model builders agree with onnxruntime-node', () => {
  it('mobilenetV2', () => compare(models.mobilenetV2({ width: 0.35, resolution: 48, classes: 10 }), image(48), { atol: 1e-4, rtol: 1e-3 }));
  it('mobilenetV1', () => compare(models.mobilenetV1({ width: 0.25, resolution: 32, classes: 10 }), image(32), { atol: 1e-4, rtol: 1e-3 }));
  it('squeezenet', () => compare(models.squeezenet({ resolution: 33, classes: 10 }), image(33), { atol: 1e-4, rtol: 1e-3 }));
  it('efficientnetB0', () => compare(models.efficientnetB0({ resolution: 32, classes: 10 }), image(32), { atol: 1e-4, rtol: 1e-3 }));
  it('distilbert with padding and the classification head', async () => {
    const ids = new Tensor('int64', [2, 6], [1n, 5n, 9n, 42n, 7n, 2n, 1n, 99n, 3n, 2n, 0n, 0n]);
    const mask = new Tensor('int64', [2, 6], [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
    const cfg = { layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 16 };
    await compare(models.distilbert(cfg), { input_ids: ids, attention_mask: mask }, { atol: 1e-4, rtol: 1e-4 });
    await compare(models.distilbert({ ...cfg, classifier: { labels: 3 } }), { input_ids: ids, attention_mask: mask }, { atol: 1e-4, rtol: 1e-4 });
  });
});
