import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { distilbert, mobilenetV2 } from '../../src/models/index.js';
import { randomFloats } from '../util/numerics.js';

/** Runs a graph in Tessera and, saved as ONNX, in onnxruntime-node; returns both outputs by name. */
async function runBoth(g: Graph, feeds: Record<string, Tensor>): Promise<{ ours: Record<string, Tensor>; theirs: Record<string, ort.Tensor> }> {
  const bytes = saveOnnx(g);
  const session = await InferenceSession.create(loadOnnx(bytes));
  const ours = await session.run(feeds);
  const o = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype, t.data as Float32Array, t.shape as number[]);
  const theirs = await o.run(ortFeeds);
  await o.release();
  return { ours, theirs };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('saved models run in onnxruntime-node and agree with Tessera', () => {
  it('a graph of elementwise ops with float32 weights and attributes', async () => {
    const b = new GraphBuilder('elementwise');
    const x = b.input('x', 'float32', ['batch', 8]);
    const w = b.constant(new Tensor('float32', [8], randomFloats(8, 1)), 'w');
    const h = b.mul(b.add(x, w), b.float(0.5));
    const leaky = b.op('LeakyRelu', [h], { alpha: 0.2 });
    const hs = b.op('HardSigmoid', [b.tanh(h)], { alpha: 0.3, beta: 0.4 });
    const y = b.div(b.sub(b.sigmoid(leaky), hs), b.add(b.exp(b.neg(b.relu(x))), b.float(1)));
    b.output(b.clip(b.sqrt(b.op('Abs', [y])), 0, 0.9), 'y');
    b.output(b.where(b.op('Greater', [x, b.float(0)]), x, b.pow(b.op('Abs', [x]), b.float(2))), 'z');
    const feeds = { x: new Tensor('float32', [3, 8], randomFloats(24, 2, -3, 3)) };
    const { ours, theirs } = await runBoth(b.build(), feeds);
    expect(maxAbsDiff(ours.y.data as Float32Array, theirs.y.data as Float32Array)).toBeLessThan(1e-6);
    expect(maxAbsDiff(ours.z.data as Float32Array, theirs.z.data as Float32Array)).toBeLessThan(1e-5);
    expect(theirs.y.dims).toEqual([3, 8]);
  });

  it('float16, int64, int32 and bool initializers and inputs have the same meaning in both', async () => {
    const b = new GraphBuilder('dtypes');
    const x = b.input('x', 'float32', [2, 3]);
    const ids = b.input('ids', 'int64', [2, 3]);
    const half = b.constant(new Tensor('float16', [3], Uint16Array.of(0x3c00, 0xc000, 0x3800)), 'half');
    const scaled = b.mul(x, b.cast(half, 'float32'));
    const shifted = b.add(ids, b.int64([1, -2, 3], [3], 'offset'));
    const mask = b.constant(new Tensor('bool', [3], [1, 0, 1]), 'mask');
    const picked = b.where(mask, scaled, b.cast(shifted, 'float32'));
    b.output(picked, 'picked');
    b.output(b.add(b.cast(ids, 'int32'), b.constant(new Tensor('int32', [1], [100]), 'hundred')), 'ints');
    const feeds = {
      x: new Tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
      ids: new Tensor('int64', [2, 3], [10n, 20n, 30n, -1n, 0n, 7n]),
    };
    const { ours, theirs } = await runBoth(b.build(), feeds);
    expect(Array.from(ours.picked.data as Float32Array)).toEqual(Array.from(theirs.picked.data as Float32Array));
    expect(Array.from(ours.picked.data as Float32Array)).toEqual([1, 18, 1.5, 4, -2, 3]);
    expect(Array.from(ours.ints.data as Int32Array)).toEqual(Array.from(theirs.ints.data as Int32Array));
  });

  it('a model from onnxruntime-style symbolic batch dims runs at several batch sizes in both', async () => {
    const b = new GraphBuilder('batch');
    const x = b.input('x', 'float32', ['N', 4]);
    b.output(b.softmax(b.mul(x, b.float(3)), -1), 'p');
    const g = b.build();
    for (const n of [1, 5]) {
      const { ours, theirs } = await runBoth(g, { x: new Tensor('float32', [n, 4], randomFloats(4 * n, n)) });
      expect(ours.p.shape).toEqual([n, 4]);
      expect(maxAbsDiff(ours.p.data as Float32Array, theirs.p.data as Float32Array)).toBeLessThan(1e-6);
    }
  });

  it('whole models (small MobileNetV2 and DistilBERT) saved by Tessera run in onnxruntime with the same outputs', async () => {
    const mb = mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 1 });
    const bert = distilbert({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 50, maxPositions: 16, seed: 1 });
    const ids = new Tensor('int64', [2, 5], [1n, 5n, 7n, 9n, 2n, 3n, 4n, 6n, 0n, 49n]);
    const cases: [Graph, Record<string, Tensor>][] = [
      [mb, { [mb.inputs[0].name]: new Tensor('float32', [1, 3, 32, 32], randomFloats(3 * 32 * 32, 3)) }],
      [bert, Object.fromEntries(bert.inputs.map((v) => [v.name, v.name === 'attention_mask' ? new Tensor('int64', [2, 5], new Array(10).fill(1)) : ids]))],
    ];
    for (const [g, feeds] of cases) {
      const { ours, theirs } = await runBoth(g, feeds);
      for (const k of Object.keys(ours)) {
        expect(theirs[k].dims, `${g.name} ${k}`).toEqual(ours[k].shape);
        expect(maxAbsDiff(ours[k].data as Float32Array, theirs[k].data as Float32Array), `${g.name} ${k}`).toBeLessThan(1e-4);
      }
    }
  });

  it('models saved at every supported opset load in onnxruntime (ir_version matched to the opset)', async () => {
    for (let opset = 13; opset <= 21; opset++) {
      const b = new GraphBuilder('relu', opset);
      b.output(b.relu(b.input('x', 'float32', [2])), 'y');
      const o = await ort.InferenceSession.create(saveOnnx(b.build()));
      const r = await o.run({ x: new ort.Tensor('float32', Float32Array.of(-1, 2), [2]) });
      expect(Array.from(r.y.data as Float32Array), `opset ${opset}`).toEqual([0, 2]);
      await o.release();
    }
  });
});
